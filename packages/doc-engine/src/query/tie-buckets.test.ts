import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMALL_BUCKET_MAX, TieBuckets, type TieEntry } from './tie-buckets.js';
import { SecondaryIndex } from './secondary-index.js';

/** The tie order: highest seq first, then key ascending. */
function tieOrder(entries: Iterable<TieEntry>): string[] {
  return [...entries].sort((a, b) => b._seq - a._seq || (a._key < b._key ? -1 : a._key > b._key ? 1 : 0)).map((entry) => entry._key);
}

/** Seq ascending, then key ascending. */
function seqOrder(entries: Iterable<TieEntry>): string[] {
  return [...entries].sort((a, b) => a._seq - b._seq || (a._key < b._key ? -1 : a._key > b._key ? 1 : 0)).map((entry) => entry._key);
}

describe('TieBuckets', () => {
  it('keeps a few keys of a value in an array and more in a TieList, in tie order either way', () => {
    const buckets = new TieBuckets<number>();
    const held: TieEntry[] = [];
    // Equal seqs on purpose (documents without `_seq`): keys then order the run.
    for (const [seq, key] of [[4, 'd'], [2, 'b'], [4, 'a'], [9, 'x'], [1, 'z'], [4, 'c'], [7, 'q'], [3, 'm'], [8, 'n'], [5, 'e'], [6, 'f']] as const) {
      const entry = { _key: key, _seq: seq };
      expect(buckets.add(7, entry)).toBe(held.length === 0 ? 'new-value' : 'added');
      expect(buckets.add(7, { _key: key, _seq: seq })).toBe('present');
      held.push(entry);
      expect(buckets.count(7)).toBe(held.length);
      expect([...buckets.keysBySeq(7, false)]).toEqual(tieOrder(held));
      expect([...buckets.keysBySeq(7, true)]).toEqual(seqOrder(held));
      expect([...buckets.keys(7)].sort()).toEqual(held.map((entry) => entry._key).sort());
    }
    expect(held.length).toBeGreaterThan(SMALL_BUCKET_MAX);
  });

  it('matches a naive model through adds and removes around the array-to-TieList threshold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 4 })), {
          minLength: 50,
          maxLength: 400,
        }),
        (ops) => {
          const buckets = new TieBuckets<number>();
          const model = new Map<number, Map<string, TieEntry>>();
          for (const [adding, value, seq, suffix] of ops) {
            // Keys repeat across seqs: the pair, not the key, identifies an entry.
            const entry = { _key: `k${suffix}`, _seq: seq };
            const id = `${seq}/${entry._key}`;
            const held = model.get(value) ?? new Map<string, TieEntry>();
            if (adding) {
              const expected = held.size === 0 ? 'new-value' : held.has(id) ? 'present' : 'added';
              expect(buckets.add(value, entry)).toBe(expected);
              held.set(id, entry);
              model.set(value, held);
            } else {
              const expected = !held.has(id) ? 'absent' : held.size === 1 ? 'emptied' : 'removed';
              expect(buckets.remove(value, entry._key, entry._seq)).toBe(expected);
              held.delete(id);
            }
            expect(buckets.has(value)).toBe(held.size > 0);
          }
          for (let value = 0; value <= 2; value++) {
            const held = [...(model.get(value)?.values() ?? [])];
            expect(buckets.count(value)).toBe(held.length);
            expect([...buckets.keysBySeq(value, false)]).toEqual(tieOrder(held));
            expect([...buckets.keysBySeq(value, true)]).toEqual(seqOrder(held));
            expect([...buckets.keys(value)].sort()).toEqual(held.map((entry) => entry._key).sort());
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets go of the document an update replaced when the indexed value stayed the same', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const index = new SecondaryIndex('score');
    // Two keys on the value, so it is held in an array of entries; the third key has a value of its own.
    const other = Object.freeze({ _key: 'b', _seq: 2, score: 5 });
    index.add('b', other);
    const lone = Object.freeze({ _key: 'c', _seq: 3, score: 6 });
    index.add('c', lone);
    const { shared, single } = (() => {
      const before = Object.freeze({ _key: 'a', _seq: 1, score: 5, text: 'x'.repeat(100) });
      const beforeLone = Object.freeze({ _key: 'c', _seq: 3, score: 6, text: 'y'.repeat(100) });
      index.add('a', before);
      index.update('c', lone, beforeLone);
      index.update('a', before, Object.freeze({ _key: 'a', _seq: 1, score: 5, text: 'z' }));
      index.update('c', beforeLone, Object.freeze({ _key: 'c', _seq: 3, score: 6, text: 'w' }));
      return { shared: new WeakRef(before), single: new WeakRef(beforeLone) };
    })();
    // A WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect([shared.deref(), single.deref()]).toEqual([undefined, undefined]);
    expect([...index.lookup(5)].sort()).toEqual(['a', 'b']);
    expect([...index.lookup(6)]).toEqual(['c']);
  });
});
