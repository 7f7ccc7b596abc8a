import { describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { ChangesUnavailableError } from './errors.js';
import type { Commit } from './log/entry-replay.js';
import { tempDir } from './test-support/temp-dir.js';
import type { DatabaseWarning } from './warnings.js';

const summary = (commit: Commit): [number, string[]] => [commit.seq, commit.entries.map((e) => `${e.entry.cmd} ${e.entry.key}`)];

async function take(iterator: AsyncIterator<Commit>, n: number): Promise<Commit[]> {
  const out: Commit[] = [];
  while (out.length < n) {
    const next = await iterator.next();
    if (next.done === true) break;
    out.push(next.value);
  }
  return out;
}

describe('change feed', () => {
  it('calls listeners after each commit, in order, with sequence numbers, until they unsubscribe', async () => {
    const db = await Database.open(tempDir());
    const seen: Commit[] = [];
    const unsubscribe = db.onChange((commit) => seen.push(commit));
    await db.collection('c').set('a', { n: 1 });
    await db.collection('c').delete('a');
    await db.collection('c').insert([{ _key: 'x' }, { _key: 'y' }]);
    unsubscribe();
    await db.collection('c').set('b', {});
    expect(seen.map(summary)).toEqual([
      [1, ['INSERT a']],
      [2, ['DELETE a']],
      [6, ['INSERT x', 'INSERT y']],
    ]);
    expect(seen[0]!.entries[0]!.entry.value).toMatchObject({ _key: 'a', _v: 1, n: 1 });
    expect(seen[2]!.txId).toBeDefined();
    await db.close();
  });

  it('reports a listener that throws and still calls the others', async () => {
    const warnings: DatabaseWarning[] = [];
    const db = await Database.open(tempDir(), { onWarning: (w) => warnings.push(w) });
    const seen: number[] = [];
    db.onChange(() => {
      throw new Error('listener bug');
    });
    db.onChange((commit) => seen.push(commit.seq));
    await expect(db.collection('c').set('a', {})).resolves.toEqual({ key: 'a', version: 1 });
    expect(seen).toEqual([1]);
    expect(warnings).toMatchObject([{ code: 'change-listener-failed' }]);
    expect(warnings[0]!.message).toContain('listener bug');
    await db.close();
  });

  it('replays history from the log after sinceSeq, then goes on live, each commit once', async () => {
    const dir = tempDir();
    const db = await Database.open(dir, { durability: 'none' });
    await db.collection('c').set('a', {});
    await db.transaction(async (tx) => {
      await tx.collection('c').set('b', {});
      await tx.collection('d').set('b', {});
    });
    await db.collection('c').delete('a');
    const feed = db.changes({ sinceSeq: 1 });
    const live = db.collection('c').set('live', {});
    const commits = await take(feed, 3);
    await live;
    expect(commits.map(summary)).toEqual([
      [5, ['INSERT b', 'INSERT b']],
      [6, ['DELETE a']],
      [7, ['INSERT live']],
    ]);
    await db.close();
    expect(await feed.next()).toEqual({ value: undefined, done: true });
  });

  it('without sinceSeq delivers only what commits from now on, and stops when the loop breaks', async () => {
    const db = await Database.open(tempDir());
    await db.collection('c').set('old', {});
    const received: number[] = [];
    const consumer = (async () => {
      for await (const commit of db.changes()) {
        received.push(commit.seq);
        if (received.length === 2) break;
      }
    })();
    await db.collection('c').set('n1', {});
    await db.collection('c').set('n2', {});
    await db.collection('c').set('n3', {});
    await consumer;
    expect(received).toEqual([2, 3]);
    await db.close();
  });

  it('counts its subscribers in stats: onChange listeners and open changes() iterators, until they leave', async () => {
    const db = await Database.open(tempDir());
    expect(db.stats().changeListeners).toBe(0);
    const unsubscribe = db.onChange(() => undefined);
    const feed = db.changes();
    expect(db.stats().changeListeners).toBe(2);
    unsubscribe();
    expect(db.stats().changeListeners).toBe(1);
    await feed.return?.();
    expect(db.stats().changeListeners).toBe(0);
    await db.close();
  });

  it('throws ChangesUnavailableError for history compaction removed, unless segments are retained', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    for (let i = 0; i < 5; i++) await db.collection('c').set(`k${i}`, {});
    await db.compact();
    await db.collection('c').set('after', {});
    const error = await db.changes({ sinceSeq: 2 }).next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangesUnavailableError);
    expect(error).toMatchObject({ sinceSeq: 2, oldestAvailableSeq: 5 });
    expect((await take(db.changes({ sinceSeq: 5 }), 1)).map(summary)).toEqual([[6, ['INSERT after']]]);
    await db.close();

    const retained = tempDir();
    const kept = await Database.open(retained, { retainLogSegments: true });
    for (let i = 0; i < 5; i++) await kept.collection('c').set(`k${i}`, {});
    await kept.compact();
    await kept.collection('c').set('after', {});
    const history = await take(kept.changes({ sinceSeq: 2 }), 4);
    expect(history.map((c) => c.seq)).toEqual([3, 4, 5, 6]);
    await kept.close();
  });

  it('rejects a bad sinceSeq', async () => {
    const db = await Database.open(tempDir());
    expect(() => db.changes({ sinceSeq: -1 })).toThrow('sinceSeq');
    await db.close();
  });
});
