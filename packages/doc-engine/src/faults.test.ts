/**
 * Faults at the file-API layer: failed writes and fsyncs, and simulated power loss (the faulty file system
 * keeps what was synced plus a seeded random part of what was not) at random points of random workloads
 * that mix single writes, batches, concurrent transactions, deletes and compactions. After a crash the
 * directory is opened with the real file system, as a fresh process would after a reboot.
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogFailedError, LogWriteError } from '@kilndb/payload-store/log';
import { nodeFileSystem } from '@kilndb/snapshot';
import { FaultyFileSystem, SeededRandom } from '@kilndb/snapshot/testing';
import { Database } from './database.js';
import { tempDir } from './test-support/temp-dir.js';

/** Reopens the directory as a fresh process would (the dead process's lock went with it). */
async function reopenAfterCrash(dir: string): Promise<Database> {
  rmSync(path.join(dir, 'LOCK'), { force: true });
  return Database.open(dir, { fs: nodeFileSystem, onWarning: () => undefined });
}

describe('write and fsync failures', () => {
  it('rejects the writes of a failed group write with LogWriteError, applies none of them, and stays usable', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const db = await Database.open(dir, { fs });
    const c = db.collection('c');
    await c.set('a', { v: 'before' });
    fs.failOn({ op: 'write', path: /\.log$/, code: 'ENOSPC', times: Infinity });
    const results = await Promise.allSettled([
      c.set('a', { v: 'lost' }),
      c.set('b', { v: 'lost' }),
      db.transaction(async (tx) => {
        await tx.collection('c').set('t1', {});
        await tx.collection('c').set('t2', {});
      }),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect(result.status === 'rejected' ? result.reason : undefined).toBeInstanceOf(LogWriteError);
    }
    expect(c.keys()).toEqual(['a']);
    expect(c.get('a')).toMatchObject({ v: 'before', _v: 1 });
    fs.clearFaults();
    await c.set('a', { v: 'after' });
    expect(c.get('a')).toMatchObject({ v: 'after', _v: 2 });
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collection('c').keys()).toEqual(['a']);
    expect(reopened.collection('c').get('a')).toMatchObject({ v: 'after', _v: 2 });
    await reopened.close();
  });

  it('refuses every write after a failed fsync with LogFailedError; reopening recovers what is on disk', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const db = await Database.open(dir, { fs });
    await db.collection('c').set('durable', {});
    fs.failOn({ op: 'datasync', path: /\.log$/, code: 'EIO' });
    await expect(db.collection('c').set('unknown-fate', {})).rejects.toBeInstanceOf(LogFailedError);
    expect(db.collection('c').get('unknown-fate')).toBeUndefined();
    await expect(db.collection('c').set('refused', {})).rejects.toBeInstanceOf(LogFailedError);
    expect(db.collection('c').get('durable')).toBeDefined();
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collection('c').get('durable')).toBeDefined();
    expect(reopened.collection('c').get('refused')).toBeUndefined();
    await reopened.collection('c').set('usable', {});
    await reopened.close();
  });
});

const KEYS = 8;
const RUNS = 300;
type Value = number | 'deleted';

/**
 * One small seeded workload on a fresh database with a tiny compaction threshold, crashed at a random
 * mutation; then checks every acknowledged write is there, and every transaction is all there or not at all.
 * Returns whether the crash hit mid-run.
 */
async function randomCrashRun(seed: number): Promise<boolean> {
  const random = new SeededRandom(seed);
  const dir = tempDir('crash');
  const fs = new FaultyFileSystem(dir, { seed });
  // Per shared key: the last acknowledged value, and values written but not acknowledged (their fate is open).
  const expected = new Map<string, Value>();
  const uncertain = new Map<string, Set<Value>>();
  for (let k = 0; k < KEYS; k++) expected.set(`k${k}`, 'deleted');
  const transactions: { id: number; witnesses: string[]; acknowledged: boolean }[] = [];
  let counter = 0;
  const track = async (effects: readonly (readonly [string, Value])[], write: Promise<unknown>): Promise<void> => {
    for (const [key, value] of effects) {
      const set = uncertain.get(key) ?? new Set<Value>();
      set.add(value);
      uncertain.set(key, set);
    }
    await write;
    for (const [key, value] of effects) {
      expected.set(key, value);
      uncertain.get(key)?.delete(value);
    }
  };
  const transaction = (db: Database, keys: readonly string[]): Promise<void> => {
    const id = ++counter;
    const witnesses = [`w${id}a`, `w${id}b`];
    const record = { id, witnesses, acknowledged: false };
    transactions.push(record);
    const write = db.transaction(async (tx) => {
      for (const key of keys) await tx.collection('c').set(key, { v: id });
      for (const witness of witnesses) await tx.collection('witness').set(witness, { tx: id });
    });
    return track(
      keys.map((key) => [key, id] as const),
      write.then(() => {
        record.acknowledged = true;
      }),
    );
  };
  const distinctKeys = (n: number): string[] => [...new Set(Array.from({ length: n }, () => `k${random.int(KEYS)}`))];

  fs.crashAfter(random.int(150));
  let db: Database | undefined;
  try {
    db = await Database.open(dir, { fs, compactThresholdBytes: 1024 + random.int(4096), onWarning: () => undefined });
    const open = db;
    for (let op = 0; op < 25; op++) {
      const pick = random.int(100);
      if (pick < 30) {
        const key = `k${random.int(KEYS)}`;
        const value = ++counter;
        await track([[key, value]], open.collection('c').set(key, { v: value }));
      } else if (pick < 42) {
        const keys = distinctKeys(2 + random.int(4));
        const writes = keys.map((key) => {
          const value = ++counter;
          return track([[key, value]], open.collection('c').set(key, { v: value }));
        });
        if ((await Promise.allSettled(writes)).some((r) => r.status === 'rejected')) break;
      } else if (pick < 52) {
        const keys = distinctKeys(1 + random.int(4));
        const values = keys.map(() => ++counter);
        await track(
          keys.map((key, i) => [key, values[i]!] as const),
          open.collection('c').insert(Object.fromEntries(keys.map((key, i) => [key, { v: values[i]! }]))),
        );
      } else if (pick < 62) {
        const key = `k${random.int(KEYS)}`;
        await track([[key, 'deleted']], open.collection('c').delete(key));
      } else if (pick < 84) {
        // Two transactions at once on disjoint keys, plus an autocommitted write between them.
        const keys = distinctKeys(4);
        const half = Math.ceil(keys.length / 2);
        const results = await Promise.allSettled([transaction(open, keys.slice(0, half)), transaction(open, keys.slice(half))]);
        if (results.some((r) => r.status === 'rejected')) break;
      } else {
        await open.compact();
      }
    }
  } catch {
    // The crash (or the log failure it caused) ends the workload; what was acknowledged must survive.
  }
  const crashedMidRun = fs.crashed;
  if (!crashedMidRun) await fs.crash();
  await db?.close().catch(() => undefined);

  const reopened = await reopenAfterCrash(dir);
  const c = reopened.collection('c');
  for (const [key, value] of expected) {
    const found = c.get(key);
    const actual: Value = found === undefined ? 'deleted' : (found.v as number);
    expect([value, ...(uncertain.get(key) ?? [])], `seed ${seed}, key ${key}`).toContain(actual);
  }
  const witnesses = reopened.collection('witness');
  for (const { id, witnesses: keys, acknowledged } of transactions) {
    const present = keys.filter((key) => witnesses.get(key) !== undefined).length;
    expect([0, keys.length], `seed ${seed}: transaction ${id} is partly visible`).toContain(present);
    if (acknowledged) expect(present, `seed ${seed}: acknowledged transaction ${id} is missing`).toBe(keys.length);
  }
  await c.set('writable after recovery', {});
  await reopened.compact();
  await reopened.close();
  return crashedMidRun;
}

describe('power loss at random points', () => {
  it(`keeps every acknowledged write and never shows part of a transaction (${RUNS} seeded runs)`, async () => {
    let crashedRuns = 0;
    for (let seed = 1; seed <= RUNS; seed++) if (await randomCrashRun(seed)) crashedRuns++;
    expect(crashedRuns).toBeGreaterThan(RUNS / 2);
  }, 180_000);
});
