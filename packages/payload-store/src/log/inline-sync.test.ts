/**
 * A writer committing alone syncs on its own thread (sync-policy.ts): what it saves is time, so these
 * tests check the switch itself, a failure on that path, and, with the faulty file system's crash model,
 * that what those syncs acknowledged survives power loss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { FaultyFileSystem, wrapHandles } from '@kilndb/snapshot/testing';
import { encodeStoreInto, storeRecordSize, type ScanEntry } from '@kilndb/wal-format';
import { AppendLog } from './append-log.js';
import type { AppendLogOptions } from './log-options.js';
import { LONE_SYNCS_TO_INLINE, PROBE_EVERY } from './sync-policy.js';
import { LogFailedError } from '../errors.js';

let dir: string;
let logPath: string;
let clock = 0;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kilndb-inline-sync-'));
  logPath = path.join(dir, 'test.log');
  // Every sync appears to take 0.1 ms, so the disk under the test runner cannot decide the policy.
  vi.spyOn(performance, 'now').mockImplementation(() => (clock += 0.05));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const payload = new TextEncoder().encode('a record of the lone writer');
const append = (log: AppendLog, id: number): Promise<number> =>
  log.append(storeRecordSize(payload.length), (buf, at) => encodeStoreInto(buf, at, id, payload));

async function loneWriter(log: AppendLog, count: number, firstId = 1): Promise<void> {
  for (let id = firstId; id < firstId + count; id++) await append(log, id);
}

/** Lone commits after the first LONE_SYNCS_TO_INLINE, less the probes: how many of `count` sync inline. */
const expectedInline = (count: number): number => {
  const candidates = count - LONE_SYNCS_TO_INLINE;
  return candidates - Math.floor(candidates / PROBE_EVERY);
};

async function ids(options: AppendLogOptions = {}): Promise<number[]> {
  const seen: ScanEntry[] = [];
  const log = await AppendLog.open(logPath, { ...options, onRecord: (entry) => seen.push(entry) });
  await log.close();
  return seen.map((entry) => (entry.record.type === 'store' ? Number(entry.record.id) : -1));
}

describe('AppendLog syncs of a lone writer', () => {
  it('moves to the calling thread after lone thread-pool syncs, with a probe through the pool every so often', async () => {
    const log = await AppendLog.open(logPath);
    await loneWriter(log, 40);
    expect(log.stats()).toMatchObject({ syncs: 40, inlineSyncs: expectedInline(40) });
    await log.close();
    expect(await ids()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('lets timers run during a loop of awaited lone appends: each probe through the pool gives the event loop a turn', async () => {
    const log = await AppendLog.open(logPath);
    await loneWriter(log, LONE_SYNCS_TO_INLINE + 4);
    let appended = 0;
    let timerAt: number | undefined;
    setTimeout(() => {
      timerAt = appended;
    }, 0);
    for (; appended < 3 * PROBE_EVERY; appended++) await append(log, 1000 + appended);
    expect(timerAt).toBeDefined();
    expect(timerAt).toBeLessThanOrEqual(PROBE_EVERY);
    expect(log.stats().inlineSyncs).toBeGreaterThan(2 * PROBE_EVERY);
    await log.close();
  });

  it('stays on the thread pool with inlineSync: false', async () => {
    const log = await AppendLog.open(logPath, { inlineSync: false });
    await loneWriter(log, 40);
    expect(log.stats()).toMatchObject({ syncs: 40, inlineSyncs: 0 });
    await log.close();
  });

  it('stays on the thread pool when the file handle has no datasyncSync', async () => {
    const wrapped = wrapHandles(nodeFileSystem, () => ({}));
    const fs: FileSystem = {
      ...wrapped,
      open: async (filePath, mode) => {
        const handle = await wrapped.open(filePath, mode);
        Reflect.deleteProperty(handle, 'datasyncSync');
        return handle;
      },
    };
    const log = await AppendLog.open(logPath, { fs });
    await loneWriter(log, 40);
    expect(log.stats()).toMatchObject({ syncs: 40, inlineSyncs: 0 });
    await log.close();
  });

  it('stays on the thread pool while two writers append, and again after they stop until lone syncs are seen anew', async () => {
    const log = await AppendLog.open(logPath);
    await loneWriter(log, 20);
    const before = log.stats().inlineSyncs;
    expect(before).toBeGreaterThan(0);
    await Promise.all([loneWriter(log, 30, 100), loneWriter(log, 30, 200)]);
    const during = log.stats().inlineSyncs - before;
    // At most the commits up to the first probe, before a second append was seen waiting with it.
    expect(during).toBeLessThan(PROBE_EVERY);
    const afterConcurrent = log.stats().inlineSyncs;
    await loneWriter(log, LONE_SYNCS_TO_INLINE, 300);
    expect(log.stats().inlineSyncs).toBe(afterConcurrent);
    await log.close();
  });

  it('tells an append settled inline by a waiter being told only after that waiter returns, in log order', async () => {
    const log = await AppendLog.open(logPath);
    await loneWriter(log, LONE_SYNCS_TO_INLINE + 1);
    expect(log.stats().inlineSyncs).toBe(1);
    const told: string[] = [];
    // Past the eager-commit size, so it is committed (and, alone, synced inline) inside the append call.
    const large = new Uint8Array(40 * 1024).fill(0x61);
    const nested = { appended: () => told.push('nested'), failed: (error: Error) => told.push(error.message) };
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const first = {
      appended: () => {
        told.push('first');
        log.appendFor({ appended: () => { nested.appended(); done(); }, failed: nested.failed }, storeRecordSize(large.length), (buf, at) => encodeStoreInto(buf, at, 100, large));
        told.push('first returns');
      },
      failed: (error: Error) => told.push(error.message),
    };
    log.appendFor(first, storeRecordSize(payload.length), (buf, at) => encodeStoreInto(buf, at, 99, payload));
    await finished;
    expect(told).toEqual(['first', 'first returns', 'nested']);
    expect(log.stats().inlineSyncs).toBe(3);
    await log.close();
    expect((await ids()).slice(-2)).toEqual([99, 100]);
  });

  it('fails the log when a sync on the calling thread fails: the append rejects and later ones are refused', async () => {
    let failSyncs = false;
    const fs: FileSystem = wrapHandles(nodeFileSystem, (inner) => ({
      datasyncSync: () => {
        if (failSyncs) throw Object.assign(new Error('EIO: injected fdatasync failure'), { code: 'EIO' });
        inner.datasyncSync?.();
      },
    }));
    const log = await AppendLog.open(logPath, { fs });
    await loneWriter(log, LONE_SYNCS_TO_INLINE + 2);
    failSyncs = true;
    await expect(append(log, 99)).rejects.toBeInstanceOf(LogFailedError);
    expect(() => append(log, 100)).toThrow(LogFailedError);
    await log.close();
    expect(await ids()).toContain(LONE_SYNCS_TO_INLINE + 2);
  });

  it('keeps every acknowledged append through power loss', async () => {
    const fs = new FaultyFileSystem(dir);
    const log = await AppendLog.open(logPath, { fs });
    await loneWriter(log, 30);
    expect(log.stats().inlineSyncs).toBe(expectedInline(30));
    // One more append whose sync has not run: power loss may drop it, never an acknowledged one.
    void append(log, 31).catch(() => undefined);
    await fs.crash({ mode: 'drop-unsynced' });
    const survived = await ids({ fs: nodeFileSystem });
    expect(survived.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});
