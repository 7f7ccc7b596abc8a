import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TieList } from './tie-list.js';

type Pair = readonly [seq: number, key: string];

/** The tie order: highest seq first, then key ascending. */
function tieOrder(pairs: Iterable<Pair>): string[] {
  return [...pairs].sort(([sa, ka], [sb, kb]) => (sa !== sb ? sb - sa : ka < kb ? -1 : ka > kb ? 1 : 0)).map(([, key]) => key);
}

/** Seq ascending, then key ascending. */
function seqOrder(pairs: Iterable<Pair>): string[] {
  return [...pairs].sort(([sa, ka], [sb, kb]) => (sa !== sb ? sa - sb : ka < kb ? -1 : ka > kb ? 1 : 0)).map(([, key]) => key);
}

describe('TieList', () => {
  it('keeps keys newest seq first, then by key, and oldest first on request', () => {
    const list = new TieList();
    for (const [seq, key] of [[5, 'b'], [9, 'x'], [5, 'a'], [1, 'z'], [5, 'c']] as const) expect(list.add(seq, key)).toBe(true);
    expect(list.add(5, 'a')).toBe(false);
    expect([...list.keys()]).toEqual(['x', 'a', 'b', 'c', 'z']);
    expect([...list.keys(true)]).toEqual(['z', 'a', 'b', 'c', 'x']);
    expect(list.remove(5, 'b')).toBe(true);
    expect(list.remove(5, 'b')).toBe(false);
    expect(list.remove(6, 'a')).toBe(false);
    expect([list.size, ...list.keys()]).toEqual([4, 'x', 'a', 'c', 'z']);
  });

  it('matches a naive model through thousands of adds and removes (chunk splits)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 3000,
          maxLength: 4000,
        }),
        (ops) => {
          const list = new TieList();
          const model = new Map<string, Pair>();
          const answers: boolean[] = [];
          const expected: boolean[] = [];
          for (const [action, seq, suffix] of ops) {
            // Keys repeat across seqs on purpose: the pair, not the key, identifies an entry.
            const key = `k${(seq * 7 + suffix) % 900}`;
            const id = `${seq}/${key}`;
            if (action > 0) {
              answers.push(list.add(seq, key));
              expected.push(!model.has(id));
              model.set(id, [seq, key]);
            } else {
              answers.push(list.remove(seq, key));
              expected.push(model.delete(id));
            }
          }
          expect(answers).toEqual(expected);
          expect(list.size).toBe(model.size);
          expect([...list.keys()]).toEqual(tieOrder(model.values()));
          expect([...list.keys(true)]).toEqual(seqOrder(model.values()));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('appends new documents in order and reads them back newest first', () => {
    const list = new TieList();
    for (let seq = 1; seq <= 5000; seq++) list.add(seq, `k${seq}`);
    const [first] = list.keys();
    expect([list.size, first]).toEqual([5000, 'k5000']);
    for (let seq = 1; seq <= 5000; seq += 2) list.remove(seq, `k${seq}`);
    expect([...list.keys(true)].slice(0, 3)).toEqual(['k2', 'k4', 'k6']);
    for (let seq = 2; seq <= 5000; seq += 2) list.remove(seq, `k${seq}`);
    expect([list.size, ...list.keys()]).toEqual([0]);
    list.add(3, 'again');
    expect([...list.keys()]).toEqual(['again']);
  });
});
