import { isKilnError, KilnError } from '@kilndb/wal-format';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import * as testing from './testing/index.js';
import { errorClassTable, otherCopyError } from './testing/error-table.js';

describe('snapshot errors', () => {
  it('every exported error class (testing entry included) is a KilnError with its own code', () => {
    const rows = errorClassTable({ ...api, ...testing });
    expect(rows.map((row) => [row.name, row.kilnCode])).toEqual([
      ['SimulatedCrashError', 'KILN_SIMULATED_CRASH'],
      ['SnapshotEncodeError', 'KILN_SNAPSHOT_ENCODE'],
      ['SnapshotFormatError', 'KILN_SNAPSHOT_FORMAT'],
    ]);
    for (const row of rows) expect(row).toMatchObject({ instanceCode: row.kilnCode, instanceName: row.name, isKilnError: true });
  });

  it('keep the base they had, and instanceof KilnError holds for the RangeError one too', () => {
    const encode = new api.SnapshotEncodeError('seq', 'too big');
    expect(encode).toBeInstanceOf(RangeError);
    expect(encode instanceof KilnError && isKilnError(encode)).toBe(true);
  });
});

describe('errorClassTable', () => {
  it('lists only error classes, and shows one that is not a KilnError as such', () => {
    class PlainError extends Error {
      override readonly name = 'PlainError';
    }
    const rows = errorClassTable({ PlainError, notAClass: 5, aFunction: () => 1, RangeError });
    expect(rows.map((row) => [row.name, row.isKilnError, row.kilnCode])).toEqual([
      ['PlainError', false, undefined],
      ['RangeError', false, undefined],
    ]);
  });
});

describe('otherCopyError', () => {
  it('is a KilnError by brand and code, but no instance of this copy\'s classes', () => {
    const other = otherCopyError('KILN_SNAPSHOT_FORMAT', { reason: 'crc' });
    expect([isKilnError(other), other instanceof KilnError, other instanceof api.SnapshotFormatError]).toEqual([true, true, false]);
    expect(other).toMatchObject({ kilnCode: 'KILN_SNAPSHOT_FORMAT', reason: 'crc' });
  });
});
