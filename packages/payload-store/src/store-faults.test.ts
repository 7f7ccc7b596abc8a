/**
 * Faults at the file-API layer: failed writes and fsyncs, and simulated power loss (the faulty file system
 * keeps only what was synced, plus a seeded random part of what was not) at every point of compaction and
 * snapshotting and at random points of random workloads. After a crash the directory is opened with the
 * real file system, as a fresh process would after a reboot.
 */
import { cpSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '@kilndb/snapshot';
import { FaultyFileSystem, SeededRandom } from '@kilndb/snapshot/testing';
import { LogFailedError, LogWriteError } from './errors.js';
import { PayloadStore } from './payload-store.js';
import { LOG_FILE } from './store-files.js';
import { SIMULATION_BASE, tempDir } from './test-support/temp-dir.js';

const DELETED = Symbol('deleted');
type Expected = unknown;

/** Reopens the directory as a fresh process would (the dead process's lock is gone with it). */
async function reopenAfterCrash(dir: string): Promise<PayloadStore> {
  rmSync(path.join(dir, 'LOCK'), { force: true });
  return PayloadStore.open(dir, { fs: nodeFileSystem });
}

function valueOf(store: PayloadStore, id: number): Expected {
  const value = store.retrieve(id);
  return value === undefined ? DELETED : value;
}

describe('write and fsync failures', () => {
  it('rejects every waiter of a failed write with LogWriteError, leaves the index alone and stays usable', async () => {
    const dir = tempDir('faults');
    const fs = new FaultyFileSystem(dir);
    const store = await PayloadStore.open(dir, { fs });
    await store.store(1, 'before');
    fs.failOn({ op: 'write', path: /payloads\.log$/, code: 'ENOSPC' });
    const results = await Promise.allSettled([store.store(1, 'lost'), store.store(2, 'lost'), store.delete(1)]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(reason).toBeInstanceOf(LogWriteError);
      expect((reason as LogWriteError).code).toBe('ENOSPC');
    }
    expect(store.retrieve(1)).toBe('before');
    expect(store.retrieve(2)).toBeUndefined();
    expect(store.count).toBe(1);
    fs.failOn({ op: 'write', path: /payloads\.log$/, code: 'EIO' });
    await expect(store.storeBatch([[3, 'x'], [4, 'y']])).rejects.toMatchObject({ name: 'LogWriteError', code: 'EIO' });
    expect(store.has(3)).toBe(false);

    await store.store(2, 'after');
    expect(store.retrieve(2)).toBe('after');
    await store.close();
    const reopened = await PayloadStore.open(dir);
    expect([...reopened.ids()].sort()).toEqual([1, 2]);
    expect(reopened.retrieve(1)).toBe('before');
    await reopened.close();
  });

  it('refuses further writes after a failed fsync with LogFailedError, and reopening recovers', async () => {
    const dir = tempDir('faults');
    const fs = new FaultyFileSystem(dir);
    const store = await PayloadStore.open(dir, { fs });
    await store.store(1, 'durable');
    fs.failOn({ op: 'datasync', path: /payloads\.log$/, code: 'EIO' });
    const results = await Promise.allSettled([store.store(2, 'unknown fate'), store.store(3, 'unknown fate')]);
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof LogFailedError)).toEqual([true, true]);
    expect(store.has(2)).toBe(false);
    await expect(store.store(4, 'refused')).rejects.toBeInstanceOf(LogFailedError);
    await expect(store.flush()).rejects.toBeInstanceOf(LogFailedError);
    // What the file holds after a failed fsync is unknown, so reads are refused too until a reopen.
    expect(() => store.retrieve(1)).toThrow(LogFailedError);
    await store.close();

    const reopened = await PayloadStore.open(dir);
    expect(reopened.retrieve(1)).toBe('durable');
    expect(reopened.has(4)).toBe(false);
    await reopened.store(5, 'usable again');
    expect(reopened.retrieve(5)).toBe('usable again');
    await reopened.close();
  });

  it('leaves the old log in place when compaction hits ENOSPC, and the store keeps working', async () => {
    const dir = tempDir('faults');
    const fs = new FaultyFileSystem(dir);
    const store = await PayloadStore.open(dir, { fs });
    for (let v = 0; v < 3; v++) await store.storeBatch(Array.from({ length: 20 }, (_, i) => [i, { v, i }] as const));
    fs.failOn({ op: 'write', path: /\.compact$/, code: 'ENOSPC' });
    await expect(store.compact()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(store.retrieve(7)).toEqual({ v: 2, i: 7 });
    await store.store(7, 'still writable');
    await store.compact();
    expect(store.retrieve(7)).toBe('still writable');
    await store.close();
  });
});

/** A store directory with overwritten and deleted records, a snapshot, and records after it. */
async function preparedDirectory(): Promise<{ dir: string; expected: Map<number, Expected> }> {
  const dir = tempDir('prepared');
  const store = await PayloadStore.open(dir, { snapshotThresholdBytes: Infinity });
  const expected = new Map<number, Expected>();
  for (let v = 0; v < 3; v++) {
    await store.storeBatch(Array.from({ length: 12 }, (_, i) => [i, { v, i }] as const));
    for (let i = 0; i < 12; i++) expected.set(i, { v, i });
  }
  await store.deleteBatch([3, 4]);
  expected.set(3, DELETED).set(4, DELETED);
  await store.createSnapshot();
  await store.store(5, 'after the snapshot');
  expected.set(5, 'after the snapshot');
  await store.close();
  return { dir, expected };
}

/**
 * Crashes `task` after each number of file-system mutations in turn, until one run completes without a
 * crash; each time, checks that the directory opens with every acknowledged write.
 */
async function crashAtEveryPoint(
  task: (store: PayloadStore, expected: Map<number, Expected>, uncertain: Map<number, Set<Expected>>) => Promise<void>,
): Promise<number> {
  const prepared = await preparedDirectory();
  for (let point = 0; ; point++) {
    const dir = tempDir('point', SIMULATION_BASE);
    cpSync(prepared.dir, dir, { recursive: true });
    const fs = new FaultyFileSystem(dir, { seed: point + 1 });
    const store = await PayloadStore.open(dir, { fs, snapshotThresholdBytes: Infinity });
    const expected = new Map(prepared.expected);
    const uncertain = new Map<number, Set<Expected>>();
    fs.crashAfter(point);
    await task(store, expected, uncertain).catch(() => undefined);
    const crashed = fs.crashed;
    if (!crashed) await fs.crash();
    await store.close().catch(() => undefined);
    const reopened = await reopenAfterCrash(dir);
    for (const [id, value] of expected) {
      const allowed = [value, ...(uncertain.get(id) ?? [])];
      expect(allowed, `crash point ${point}, id ${id}`).toContainEqual(valueOf(reopened, id));
    }
    await reopened.close();
    if (!crashed) return point;
  }
}

describe('simulated power loss', () => {
  it('keeps every acknowledged write through a crash at any step of compaction, writes during it included', async () => {
    const points = await crashAtEveryPoint(async (store, expected, uncertain) => {
      const compacting = store.compact();
      const writes = [
        store.store(20, 'written during compaction').then(() => expected.set(20, 'written during compaction')),
        store.delete(6).then(() => expected.set(6, DELETED)),
      ];
      uncertain.set(20, new Set([DELETED, 'written during compaction'])).set(6, new Set([DELETED]));
      expected.set(20, DELETED);
      await Promise.allSettled(writes);
      await compacting;
    });
    // Compaction takes a few dozen file-system steps; every one of them was a crash point.
    expect(points).toBeGreaterThan(10);
  });

  it('keeps every acknowledged write through a crash at any step of writing a snapshot', async () => {
    const points = await crashAtEveryPoint(async (store, expected) => {
      await store.createSnapshot();
      await store.store(21, 'after');
      expected.set(21, 'after');
    });
    expect(points).toBeGreaterThan(5);
  });

  it('keeps every acknowledged write through random crashes of random workloads (1,000 seeded runs)', async () => {
    const runs = 1000;
    let crashedRuns = 0;
    for (let seed = 1; seed <= runs; seed++) {
      if (await randomCrashRun(seed)) crashedRuns++;
    }
    // Most runs crash somewhere in the middle; the rest lose power after their last write.
    expect(crashedRuns).toBeGreaterThan(runs / 2);
  }, 120_000);
});

const IDS = 10;

/** One small seeded workload on a fresh store, crashed at a random point; returns whether it crashed mid-run. */
async function randomCrashRun(seed: number): Promise<boolean> {
  const random = new SeededRandom(seed);
  const dir = tempDir('random', SIMULATION_BASE);
  const fs = new FaultyFileSystem(dir, { seed });
  const expected = new Map<number, Expected>();
  for (let id = 0; id < IDS; id++) expected.set(id, DELETED);
  const uncertain = new Map<number, Set<Expected>>();
  const maybe = (id: number, value: Expected): void => {
    let set = uncertain.get(id);
    if (set === undefined) uncertain.set(id, (set = new Set()));
    set.add(value);
  };
  // Track one write: until it settles its effect is uncertain; once it resolves it is expected.
  const track = async (effects: readonly (readonly [number, Expected])[], write: Promise<unknown>): Promise<void> => {
    for (const [id, value] of effects) maybe(id, value);
    await write;
    // Writes to one id never overlap here, so this one supersedes whatever was uncertain about the id.
    for (const [id, value] of effects) {
      expected.set(id, value);
      uncertain.delete(id);
    }
  };
  fs.crashAfter(random.int(120));
  let store: PayloadStore | undefined;
  try {
    store = await PayloadStore.open(dir, { fs, snapshotThresholdBytes: 100 + random.int(1500) });
    const opened = store;
    for (let op = 0; op < 24; op++) {
      const value = { seed, op };
      const pick = random.int(100);
      if (pick < 35) {
        const id = random.int(IDS);
        await track([[id, value]], opened.store(id, value));
      } else if (pick < 50) {
        const ids = [...new Set(Array.from({ length: 2 + random.int(5) }, () => random.int(IDS)))];
        const results = await Promise.allSettled(ids.map((id, i) => track([[id, { ...value, i }]], opened.store(id, { ...value, i }))));
        if (results.some((r) => r.status === 'rejected')) break;
      } else if (pick < 65) {
        const ids = [...new Set(Array.from({ length: 1 + random.int(4) }, () => random.int(IDS)))];
        const entries = ids.map((id, i) => [id, { ...value, i }] as const);
        await track([...entries], opened.storeBatch(entries));
      } else if (pick < 77) {
        const id = random.int(IDS);
        await track([[id, DELETED]], opened.delete(id));
      } else if (pick < 85) {
        const ids = [...new Set(Array.from({ length: 1 + random.int(3) }, () => random.int(IDS)))];
        await track(ids.map((id) => [id, DELETED]), opened.deleteBatch(ids));
      } else if (pick < 93) {
        await opened.createSnapshot();
      } else {
        await opened.compact();
      }
    }
  } catch {
    // The crash (or the log failure it caused) ends the workload; what was acknowledged must survive.
  }
  const crashedMidRun = fs.crashed;
  if (!crashedMidRun) await fs.crash();
  await store?.close().catch(() => undefined);
  const reopened = await reopenAfterCrash(dir);
  for (const [id, value] of expected) {
    const allowed = [value, ...(uncertain.get(id) ?? [])];
    expect(allowed, `seed ${seed}, id ${id}`).toContainEqual(valueOf(reopened, id));
  }
  expect(reopened.count, `seed ${seed}`).toBeLessThanOrEqual(IDS);
  await reopened.store(IDS, 'writable after recovery');
  await reopened.close();
  rmSync(path.join(dir, LOG_FILE), { force: true });
  return crashedMidRun;
}
