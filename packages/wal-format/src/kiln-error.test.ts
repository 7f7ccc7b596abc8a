import { describe, expect, it } from 'vitest';
import * as walFormat from './index.js';
import { asError, hasErrorCode, isKilnError, KilnError, KilnRangeError, KilnTypeError } from './kiln-error.js';
import { RecordDecodeError, RecordEncodeError } from './errors.js';

class ProbeError extends KilnError {
  static override readonly kilnCode = 'KILN_PROBE';
}
class ProbeTypeError extends KilnTypeError {
  static override readonly kilnCode = 'KILN_PROBE_TYPE';
}
class ProbeRangeError extends KilnRangeError {
  static override readonly kilnCode = 'KILN_PROBE_RANGE';
}

/** What another installed copy of a package makes: its own classes, branded with the same registered symbol. */
function errorFromAnotherCopy(kilnCode: string): Error {
  class CopyBase extends Error {
    readonly kilnCode = kilnCode;
  }
  Object.defineProperty(CopyBase.prototype, Symbol.for('kilndb.error'), { value: true });
  return new CopyBase('made by another copy');
}

describe('KilnError', () => {
  it('gives each instance its class code, on top of the base it extends', () => {
    const plain = new ProbeError('p');
    const typed = new ProbeTypeError('t');
    const ranged = new ProbeRangeError('r');
    expect([plain.kilnCode, typed.kilnCode, ranged.kilnCode]).toEqual(['KILN_PROBE', 'KILN_PROBE_TYPE', 'KILN_PROBE_RANGE']);
    expect(typed).toBeInstanceOf(TypeError);
    expect(ranged).toBeInstanceOf(RangeError);
    expect(plain.message).toBe('p');
  });

  it('brands instances with Symbol.for("kilndb.error"), and isKilnError checks the brand, not the class', () => {
    for (const error of [new ProbeError('p'), new ProbeTypeError('t'), new ProbeRangeError('r'), errorFromAnotherCopy('KILN_X')]) {
      expect((error as unknown as Record<symbol, unknown>)[Symbol.for('kilndb.error')]).toBe(true);
      expect(isKilnError(error)).toBe(true);
      expect(error instanceof KilnError).toBe(true);
    }
  });

  it('refuses what is not branded, or branded without a code', () => {
    const codeless = new Error('no code');
    Object.defineProperty(codeless, Symbol.for('kilndb.error'), { value: true });
    const unbranded = Object.assign(new Error('x'), { kilnCode: 'KILN_PROBE' });
    for (const value of [new Error('x'), new RangeError('x'), unbranded, codeless, null, undefined, 'KILN_PROBE', { kilnCode: 'KILN_PROBE' }]) {
      expect(isKilnError(value)).toBe(false);
      expect(value instanceof KilnError).toBe(false);
    }
  });

  it('keeps instanceof of a subclass the ordinary prototype check', () => {
    expect(new ProbeError('p') instanceof ProbeError).toBe(true);
    expect(new ProbeTypeError('t') instanceof ProbeError).toBe(false);
    expect(errorFromAnotherCopy('KILN_PROBE') instanceof ProbeError).toBe(false);
  });

  it('hasErrorCode matches one class by its code or the class itself, in this copy or another', () => {
    expect(hasErrorCode(new ProbeError('p'), 'KILN_PROBE')).toBe(true);
    expect(hasErrorCode(new ProbeError('p'), ProbeError)).toBe(true);
    expect(hasErrorCode(errorFromAnotherCopy('KILN_PROBE'), ProbeError)).toBe(true);
    expect(hasErrorCode(new ProbeTypeError('t'), ProbeError)).toBe(false);
    expect(hasErrorCode(Object.assign(new Error('x'), { kilnCode: 'KILN_PROBE' }), 'KILN_PROBE')).toBe(false);
  });
});

describe('the errors wal-format exports', () => {
  const classes = Object.entries(walFormat).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error);

  it('are all KilnErrors with distinct codes and their class name as name', () => {
    expect(classes.map(([name]) => name).sort()).toEqual(['KilnError', 'KilnRangeError', 'KilnTypeError', 'RecordDecodeError', 'RecordEncodeError']);
    const samples = [new RecordEncodeError('id', 'bad id'), new RecordDecodeError('offset', 'bad offset')];
    expect(samples.map((error) => [error.name, error.kilnCode, isKilnError(error), error instanceof RangeError])).toEqual([
      ['RecordEncodeError', 'KILN_RECORD_ENCODE', true, true],
      ['RecordDecodeError', 'KILN_RECORD_DECODE', true, true],
    ]);
    const codes = classes.map(([, value]) => (value as unknown as { kilnCode: string }).kilnCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('asError', () => {
  it('passes an Error through and wraps anything else', () => {
    const error = new RangeError('r');
    expect(asError(error)).toBe(error);
    expect(asError('text')).toEqual(new Error('text'));
    expect(asError(42).message).toBe('42');
  });
});
