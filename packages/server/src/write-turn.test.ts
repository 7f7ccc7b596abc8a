import { describe, expect, it } from 'vitest';
import { WriteTurn } from './write-turn.js';

describe('WriteTurn', () => {
  it('starts the writes of one turn together at its end, in the order asked, each settling on its own', async () => {
    const turn = new WriteTurn();
    const started: string[] = [];
    const write = (name: string, fail = false) => () => {
      started.push(name);
      return fail ? Promise.reject(new Error(`${name} failed`)) : Promise.resolve(name);
    };
    const a = turn.run(write('a'));
    const b = turn.run(write('b', true));
    const c = turn.run(write('c'));
    await Promise.resolve();
    expect(started).toEqual([]); // not before the turn ends
    const outcomes = await Promise.allSettled([a, b, c]);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual(['a', 'b failed', 'c']);
  });

  it('turns a write that throws before returning its promise into a rejection, and starts later turns anew', async () => {
    const turn = new WriteTurn();
    await expect(
      turn.run(() => {
        throw new Error('bad input');
      }),
    ).rejects.toThrow('bad input');
    await expect(turn.run(() => Promise.resolve(2))).resolves.toBe(2);
  });
});
