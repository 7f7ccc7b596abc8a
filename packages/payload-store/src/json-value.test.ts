import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copyJsonPrimitive, copyJsonValue, findJsonFault, freshString, jsonPathOf, MAX_JSON_DEPTH, ownNamesNeedCheck, type JsonFault } from './json-value.js';

const RETENTION_SCRIPT = fileURLToPath(new URL('./test-support/fresh-string-retention.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/json-value.js', import.meta.url));

/** `depth` arrays nested in one another around 1, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function faultOf(value: unknown): JsonFault {
  const fault = findJsonFault(value);
  if (fault === undefined) throw new Error('expected a fault');
  return fault;
}

class Point {
  x = 1;
}

describe('findJsonFault', () => {
  it('accepts what JSON gives back unchanged, plain objects without a prototype included', () => {
    for (const value of [null, true, 'text', 1.5, -0, [], {}, { a: [1, { b: null }] }, Object.create(null) as object, nested(MAX_JSON_DEPTH + 1)]) {
      expect(findJsonFault(value)).toBeUndefined();
    }
  });

  it.each([
    ['a Map', new Map([[1, 2]]), 'not-plain', 'is a Map, not a plain JSON object'],
    ['a Set', new Set([1]), 'not-plain', 'is a Set, not a plain JSON object'],
    ['a Uint8Array', Uint8Array.of(1, 2), 'not-plain', 'is a Uint8Array, not a plain JSON object'],
    ['a Date', new Date(0), 'not-plain', 'is a Date, not a plain JSON object'],
    ['a class instance', new Point(), 'not-plain', 'is a Point, not a plain JSON object'],
    ['a boxed string', new String('s'), 'not-plain', 'is a String, not a plain JSON object'],
    ['NaN', Number.NaN, 'not-finite', 'is NaN, which JSON cannot hold (it would store null)'],
    ['-Infinity', -Infinity, 'not-finite', 'is -Infinity, which JSON cannot hold (it would store null)'],
    ['a bigint', 5n, 'bigint', 'is a bigint, which JSON cannot hold (store it as a string or a number)'],
    ['undefined', undefined, 'not-json', 'is undefined, which JSON cannot hold'],
    ['a function', () => 1, 'not-json', 'is a function, which JSON cannot hold'],
    ['a symbol', Symbol('s'), 'not-json', 'is a symbol, which JSON cannot hold'],
  ])('refuses %s, as the value and inside one, naming the path', (_, part, kind, reason) => {
    expect(faultOf(part)).toEqual(expect.objectContaining({ path: [], kind, reason }));
    expect(faultOf({ a: [0, { 'odd key': part }] })).toEqual(expect.objectContaining({ path: ['a', 1, 'odd key'], kind, reason }));
  });

  it('refuses undefined inside an array and a hole in a sparse array', () => {
    expect(faultOf([1, undefined])).toMatchObject({ path: [1], kind: 'not-json' });
    const sparse = new Array<number>(3);
    sparse[0] = 1;
    expect(faultOf({ list: sparse })).toMatchObject({ path: ['list', 1], kind: 'hole', reason: 'is a hole in a sparse array' });
  });

  it('names a cycle where it closes, in a short message', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const fault = faultOf({ outer: cyclic });
    expect(fault).toMatchObject({ path: ['outer', 'self'], kind: 'cycle' });
    expect(fault.reason).toBe(`refers back to an object that contains it: a cycle, which nests deeper than ${MAX_JSON_DEPTH} levels`);
    // A value shared by two branches is not a cycle.
    const shared = { n: 1 };
    expect(findJsonFault({ a: shared, b: [shared] })).toBeUndefined();
  });

  it('counts a reference back to the parent the caller walks itself as a cycle', () => {
    const doc: Record<string, unknown> = {};
    doc.me = doc;
    expect(findJsonFault(doc.me, { depth: 1, parent: doc })).toMatchObject({ path: [], kind: 'cycle' });
  });

  it('refuses nesting past the limit without overflowing the stack, even 100,000 deep', () => {
    // The value itself is at depth 0: an array at depth 257 is one too deep.
    expect(faultOf(nested(MAX_JSON_DEPTH + 2))).toMatchObject({ kind: 'too-deep', reason: `nests deeper than ${MAX_JSON_DEPTH} levels` });
    expect(faultOf(nested(MAX_JSON_DEPTH + 2)).path).toHaveLength(MAX_JSON_DEPTH + 1);
    expect(faultOf(nested(100_000))).toMatchObject({ kind: 'too-deep' });
    // The caller's starting depth counts.
    expect(findJsonFault(nested(MAX_JSON_DEPTH + 1), { depth: 1 })).toMatchObject({ kind: 'too-deep' });
  });
});

describe('copyJsonValue', () => {
  it('copies an array of primitives as the walk does: frozen, -0 as 0; a hole, NaN or too deep still named', () => {
    const input = ['a', 1, -0, true, null];
    const result = copyJsonValue(input);
    if (!('copy' in result)) throw new Error('expected a copy');
    expect(result.copy).toEqual(['a', 1, 0, true, null]);
    expect(Object.is((result.copy as unknown[])[2], 0)).toBe(true);
    expect(result.copy).not.toBe(input);
    expect(Object.isFrozen(result.copy)).toBe(true);
    // eslint-disable-next-line no-sparse-arrays
    expect(copyJsonValue([1, , 3])).toMatchObject({ fault: { kind: 'hole', path: [1] } });
    expect(copyJsonValue([1, Number.NaN])).toMatchObject({ fault: { kind: 'not-finite', path: [1] } });
    expect(copyJsonValue([1], { depth: MAX_JSON_DEPTH })).toMatchObject({ copy: [1] });
    expect(copyJsonValue([1], { depth: MAX_JSON_DEPTH + 1 })).toMatchObject({ fault: { kind: 'too-deep' } });
  });

  it('copies, freezing every array and object, and turns -0 into 0', () => {
    const input = { a: [1, { b: -0 }], c: -0, __proto__: null } as unknown as Record<string, unknown>;
    const result = copyJsonValue(input);
    if (!('copy' in result)) throw new Error('expected a copy');
    const copy = result.copy as { a: [number, { b: number }]; c: number };
    expect(copy).toEqual({ a: [1, { b: 0 }], c: 0 });
    expect(Object.is(copy.c, 0)).toBe(true);
    expect(Object.is(copy.a[1].b, 0)).toBe(true);
    expect(copy).not.toBe(input);
    expect(Object.isFrozen(copy) && Object.isFrozen(copy.a) && Object.isFrozen(copy.a[1])).toBe(true);
  });

  it('gives back every string as it was, short repeated ones and long concatenated ones alike', () => {
    // Short strings go through a bounded cache of recent ones: colliding strings must never be mixed up.
    const strings = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `s${i % 500}` : i % 3 === 1 ? `v-${i}` : 'long '.repeat(5) + String(i)));
    for (let pass = 0; pass < 2; pass++) {
      const result = copyJsonValue({ strings });
      if (!('copy' in result)) throw new Error('expected a copy');
      expect((result.copy as { strings: string[] }).strings).toEqual(strings);
    }
  });

  it('keeps a field named __proto__ as data', () => {
    const result = copyJsonValue(JSON.parse('{"__proto__": {"polluted": true}}'));
    if (!('copy' in result)) throw new Error('expected a copy');
    expect(Object.getPrototypeOf(result.copy)).toBe(Object.prototype);
    expect(Object.keys(result.copy as object)).toEqual(['__proto__']);
  });

  it('copies own names only when Object.prototype holds an enumerable one (ownNamesNeedCheck)', () => {
    const prototype = Object.prototype as Record<string, unknown>;
    expect(ownNamesNeedCheck({})).toBe(false);
    Object.defineProperty(prototype, 'inheritedName', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(ownNamesNeedCheck({})).toBe(true);
      expect(ownNamesNeedCheck(Object.create(null) as object)).toBe(false);
      const result = copyJsonValue({ outer: { inner: 1 } });
      if (!('copy' in result)) throw new Error('expected a copy');
      const copy = result.copy as { outer: object };
      expect(Object.keys(copy)).toEqual(['outer']);
      expect(Object.keys(copy.outer)).toEqual(['inner']);
    } finally {
      delete prototype['inheritedName'];
    }
  });

  it('reports the fault instead of a copy', () => {
    const result = copyJsonValue({ m: new Map() });
    expect('fault' in result && result.fault).toMatchObject({ path: ['m'], kind: 'not-plain' });
  });
});

describe('freshString and copyJsonPrimitive', () => {
  it('give back equal strings: empty, short, at the 13-character edge, sliced, concatenated, with surrogate pairs', () => {
    const long = 'the quick brown fox jumps over the lazy dog '.repeat(50);
    const cases = ['', 'a', 'twelve chars', 'thirteen char', long.slice(7, 300), 'x'.repeat(40) + String(Math.PI), '😀 emoji first', 'é'.repeat(20), '\u{1F600}'.repeat(9)];
    for (const text of cases) {
      expect(freshString(text)).toBe(text);
      expect(copyJsonPrimitive(text)).toBe(text);
    }
  });

  it('keep nothing of the texts their copies were sliced from, once compiled by the optimising compiler', () => {
    // In a process of its own, with --expose-gc and the built package: the copy held 100 MiB of dropped
    // texts alive when the compiler removed the conversion that makes it (its result was unused).
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run pnpm build first`);
    const out = execFileSync(process.execPath, ['--expose-gc', RETENTION_SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    const { retainedMiB } = JSON.parse(out) as { retainedMiB: number };
    // Five dropped texts of 20 MiB each; a copy that kept its source would hold all of them.
    expect(retainedMiB).toBeLessThan(10);
  }, 90_000);

  it('copy JSON primitives (-0 as 0) and answer undefined for anything the walk must look at', () => {
    expect([true, false, null, 1.5].map(copyJsonPrimitive)).toEqual([true, false, null, 1.5]);
    expect(Object.is(copyJsonPrimitive(-0), 0)).toBe(true);
    for (const other of [NaN, Infinity, undefined, 1n, Symbol('s'), () => 1, {}, []]) expect(copyJsonPrimitive(other)).toBeUndefined();
  });
});

describe('jsonPathOf', () => {
  it('writes keys as .name or ["name"] and indexes as [i]', () => {
    expect(jsonPathOf([])).toBe('$');
    expect(jsonPathOf(['a', 2, 'odd key', '$ok'])).toBe('$.a[2]["odd key"].$ok');
  });
});
