import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PayloadStore } from './payload-store.js';
import type { PayloadId } from './store-types.js';
import { tempDir } from './test-support/temp-dir.js';

type Op =
  | { kind: 'store'; id: PayloadId; value: unknown }
  | { kind: 'storeBatch'; entries: [PayloadId, unknown][]; deferred: boolean }
  | { kind: 'delete'; id: PayloadId }
  | { kind: 'deleteBatch'; ids: PayloadId[] }
  | { kind: 'snapshot' }
  | { kind: 'compact' }
  | { kind: 'reopen' };

const id: fc.Arbitrary<PayloadId> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 15 }) },
  { weight: 1, arbitrary: fc.constantFrom<PayloadId>(Number.MAX_SAFE_INTEGER, 2n ** 53n, 2n ** 64n - 1n, 7n) },
);
const value = fc.jsonValue({ maxDepth: 3 });

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('store' as const), id, value }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('storeBatch' as const),
      entries: fc.array(fc.tuple(id, value), { maxLength: 6 }),
      deferred: fc.boolean(),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteBatch' as const), ids: fc.array(id, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/** The model keys ids by their one canonical form: 5n and 5 are the same id. */
const keyOf = (value: PayloadId): string => BigInt(value).toString();
const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('PayloadStore against an in-memory model', () => {
  it('agrees with a Map through random stores, deletes, batches, snapshots, compactions and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const dir = tempDir('model');
        const open = (): Promise<PayloadStore> => PayloadStore.open(dir, { snapshotThresholdBytes: 400, durability: 'flush' });
        let store = await open();
        const model = new Map<string, unknown>();
        try {
          for (const step of ops) {
            switch (step.kind) {
              case 'store':
                await store.store(step.id, step.value);
                model.set(keyOf(step.id), roundTrip(step.value));
                break;
              case 'storeBatch':
                if (step.deferred) await store.storeBatchDeferred(step.entries);
                else await store.storeBatch(step.entries);
                for (const [entryId, entryValue] of step.entries) model.set(keyOf(entryId), roundTrip(entryValue));
                break;
              case 'delete':
                expect(await store.delete(step.id)).toBe(model.delete(keyOf(step.id)));
                break;
              case 'deleteBatch': {
                const unique = new Set(step.ids.map(keyOf));
                const present = [...unique].filter((key) => model.has(key)).length;
                expect(await store.deleteBatch(step.ids)).toBe(present);
                for (const key of unique) model.delete(key);
                break;
              }
              case 'snapshot':
                await store.createSnapshot();
                break;
              case 'compact':
                await store.compact();
                break;
              case 'reopen':
                await store.close();
                store = await open();
                break;
            }
            expect(store.count).toBe(model.size);
          }
          const check = (s: PayloadStore): void => {
            expect(new Set([...s.ids()].map(keyOf))).toEqual(new Set(model.keys()));
            for (const [key, expected] of model) expect(s.retrieve(BigInt(key))).toEqual(expected);
          };
          check(store);
          await store.close();
          store = await open();
          check(store);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
