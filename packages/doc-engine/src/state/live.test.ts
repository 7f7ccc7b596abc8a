import { describe, expect, it } from 'vitest';
import { Database } from '../database.js';
import { tempDir } from '../test-support/temp-dir.js';

/** A clock the test moves by hand, counting how often it is read. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void; reads: () => number } {
  let time = start;
  let reads = 0;
  return {
    now: () => {
      reads++;
      return time;
    },
    advance: (ms) => (time += ms),
    reads: () => reads,
  };
}

describe('get and expiry', () => {
  it('reads no clock in a collection without TTL or expiring documents, and still hides expired ones elsewhere', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now, durability: 'none' });
    const plain = db.collection('plain');
    await plain.set('a', { n: 1 });
    const before = clock.reads();
    expect(plain.get('a')).toEqual({ _key: 'a', _v: 1, n: 1 });
    expect(plain.get('missing')).toBeUndefined();
    expect(clock.reads()).toBe(before);

    await plain.set('b', { n: 2 }, { ttl: 1 });
    expect(plain.get('b')).toEqual({ _key: 'b', _v: 1, n: 2 });
    clock.advance(1000);
    expect(plain.get('b')).toBeUndefined();
    expect(plain.get('a')).toEqual({ _key: 'a', _v: 1, n: 1 });
    // Rewritten without an expiry, the last expiring document no longer counts: visible again, no clock read.
    await plain.set('b', { n: 3 });
    const after = clock.reads();
    expect(plain.get('b')).toEqual({ _key: 'b', _v: 1, n: 3 });
    expect(clock.reads()).toBe(after);
    await plain.set('c', { n: 4 }, { expiresAt: clock.now() - 1 });
    expect(plain.get('c')).toBeUndefined();
    await db.close();
  });

  it('expires every document of a collection whose TTL ran out', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now, durability: 'none' });
    const cache = db.collection('cache');
    await cache.set('k', { v: 1 });
    await cache.setTtl(2);
    clock.advance(1999);
    expect(cache.get('k')).toEqual({ _key: 'k', _v: 1, v: 1 });
    clock.advance(1);
    expect(cache.get('k')).toBeUndefined();
    await db.close();
  });

  it('hides a document with its own expiry after a reopen, from the log and from a snapshot', async () => {
    const clock = manualClock();
    const dir = tempDir();
    let db = await Database.open(dir, { clock: clock.now });
    await db.collection('c').set('old', { n: 1 }, { ttl: 1 });
    await db.collection('c').set('kept', { n: 2 });
    await db.close();
    db = await Database.open(dir, { clock: clock.now });
    expect(db.collection('c').get('old')).toEqual({ _key: 'old', _v: 1, n: 1 });
    await db.compact();
    await db.close();
    clock.advance(1000);
    db = await Database.open(dir, { clock: clock.now });
    expect(db.collection('c').get('old')).toBeUndefined();
    expect(db.collection('c').get('kept')).toEqual({ _key: 'kept', _v: 1, n: 2 });
    await db.close();
  });
});
