import { describe, expect, it } from 'vitest';
import { PayloadValueError } from './errors.js';
import { PayloadStore } from './payload-store.js';
import { tempDir } from './test-support/temp-dir.js';

class Point {
  x = 1;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { v: value };
  return value;
}

describe('PayloadStore values', () => {
  it('refuses values JSON would change (Map, Set, typed array, class instance, Date) with PayloadValueError, writing nothing', async () => {
    const store = await PayloadStore.open(tempDir());
    const cases: [unknown, string][] = [
      [new Map([['a', 1]]), 'payload for id 7: the value is a Map, not a plain JSON object'],
      [{ tags: new Set(['a']) }, 'payload for id 7: $.tags is a Set, not a plain JSON object'],
      [{ bytes: Uint8Array.of(1, 2) }, 'payload for id 7: $.bytes is a Uint8Array, not a plain JSON object'],
      [[new Point()], 'payload for id 7: $[0] is a Point, not a plain JSON object'],
      [{ at: new Date(0) }, 'payload for id 7: $.at is a Date, not a plain JSON object'],
    ];
    for (const [value, message] of cases) {
      const error: unknown = await store.store(7, value).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PayloadValueError);
      expect((error as Error).message).toBe(message);
    }
    await expect(store.storeBatch([[1, 'fine'], [2, new Map()]])).rejects.toThrow('payload for id 2: the value is a Map');
    expect(store.count).toBe(0);
    expect(store.stats().logBytes).toBe(0);
    await store.close();
  });

  it('refuses a value nested 100,000 deep with PayloadValueError, not a stack overflow', async () => {
    const store = await PayloadStore.open(tempDir());
    const error: unknown = await store.store(1, nested(100_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadValueError);
    expect((error as Error).message).toMatch(/^payload for id 1: \$(\.v){257} nests deeper than 256 levels$/);
    // 256 levels are fine.
    await store.store(2, nested(256));
    expect(store.retrieve(2)).toEqual(nested(256));
    await store.close();
  });

  it('names a cycle once', async () => {
    const store = await PayloadStore.open(tempDir());
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    await expect(store.store(3, { c: cyclic })).rejects.toThrow(
      'payload for id 3: $.c.self refers back to an object that contains it: a cycle, which nests deeper than 256 levels',
    );
    await store.close();
  });

  it('stores -0 as 0, so a read before and after a reopen agree', async () => {
    const dir = tempDir();
    const store = await PayloadStore.open(dir);
    await store.store(1, { n: -0, list: [-0] });
    const before = store.retrieve(1) as { n: number; list: number[] };
    expect(Object.is(before.n, 0) && Object.is(before.list[0], 0)).toBe(true);
    await store.close();
    const reopened = await PayloadStore.open(dir);
    expect(Object.is((reopened.retrieve(1) as { n: number }).n, 0)).toBe(true);
    await reopened.close();
  });
});
