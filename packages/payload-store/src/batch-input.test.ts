import { describe, expect, it } from 'vitest';
import { StoreInputError } from './errors.js';
import { PayloadStore } from './payload-store.js';
import { tempDir } from './test-support/temp-dir.js';

describe('batch arguments', () => {
  it('storeBatch, storeBatchDeferred and deleteBatch refuse a non-iterable (or a string) with StoreInputError, writing nothing', async () => {
    const store = await PayloadStore.open(tempDir());
    const bad: [() => Promise<unknown>, string][] = [
      [() => store.storeBatch(5 as never), 'invalid argument of storeBatch: takes an iterable of [id, value] pairs, got number 5'],
      [() => store.storeBatch(null as never), 'invalid argument of storeBatch: takes an iterable of [id, value] pairs, got null'],
      [() => store.storeBatchDeferred({} as never), 'invalid argument of storeBatchDeferred: takes an iterable of [id, value] pairs, got an object that is not iterable'],
      [() => store.storeBatch([[1, 'a'], 7] as never), 'invalid entry 1 of storeBatch: must be an [id, value] pair, got number 7'],
      [() => store.storeBatch([[1, 'a', 'b']] as never), 'invalid entry 0 of storeBatch: must be an [id, value] pair, got an array of 3'],
      [() => store.deleteBatch(5 as never), 'invalid argument of deleteBatch: takes an iterable of ids, got number 5'],
      [() => store.deleteBatch('12' as never), 'invalid argument of deleteBatch: takes an iterable of ids, got the string "12"'],
    ];
    for (const [call, message] of bad) {
      const error: unknown = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreInputError);
      expect((error as Error).message).toBe(message);
    }
    expect(store.stats().logBytes).toBe(0);
    // Any iterable of pairs will do: a Map's entries, a generator.
    await store.storeBatch(new Map([[1, 'one']]));
    await store.storeBatch((function* () {
      yield [2, 'two'] as const;
    })());
    expect(await store.deleteBatch(new Set([1, 2]))).toBe(2);
    await store.close();
  });
});
