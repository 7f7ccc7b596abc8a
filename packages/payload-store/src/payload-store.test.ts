import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordEncodeError } from '@kilndb/wal-format';
import {
  DirectoryLockedError,
  LogClosedError,
  LogReadOnlyError,
  PayloadCorruptError,
  PayloadValueError,
} from './errors.js';
import { PayloadStore } from './payload-store.js';
import type { PayloadStoreOptions } from './store-types.js';
import type { PayloadStoreWarning } from './warnings.js';
import { LOG_FILE, SNAPSHOT_FILE } from './store-files.js';
import { tempDir } from './test-support/temp-dir.js';

async function openStore(dir: string, options: PayloadStoreOptions = {}): Promise<PayloadStore> {
  return PayloadStore.open(dir, options);
}

function collectWarnings(): { warnings: PayloadStoreWarning[]; onWarning: (w: PayloadStoreWarning) => void } {
  const warnings: PayloadStoreWarning[] = [];
  return { warnings, onWarning: (w) => warnings.push(w) };
}

describe('PayloadStore basics', () => {
  it('stores, retrieves, overwrites and deletes JSON values, and finds them after reopening', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, { name: 'one', tags: ['a', 'b'], nested: { n: 1.5 } });
    await store.store(2, 'two');
    await store.store(3, [1, null, true]);
    await store.store(2, { replaced: true });
    expect(await store.delete(3)).toBe(true);
    expect(store.retrieve(1)).toEqual({ name: 'one', tags: ['a', 'b'], nested: { n: 1.5 } });
    expect(store.retrieve(2)).toEqual({ replaced: true });
    expect(store.retrieve(3)).toBeUndefined();
    expect(store.retrieve(99)).toBeUndefined();
    expect(store.count).toBe(2);
    expect(store.has(1)).toBe(true);
    expect(store.has(3)).toBe(false);
    await store.close();

    const reopened = await openStore(dir);
    expect(reopened.retrieve(1)).toEqual({ name: 'one', tags: ['a', 'b'], nested: { n: 1.5 } });
    expect(reopened.retrieve(2)).toEqual({ replaced: true });
    expect(reopened.retrieve(3)).toBeUndefined();
    expect([...reopened.ids()].sort()).toEqual([1, 2]);
    await reopened.close();
  });

  it('keeps u64 ids exact: numbers up to 2^53 - 1, bigints above, and 5n is the same id as 5', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const big = 2n ** 64n - 1n;
    await store.store(Number.MAX_SAFE_INTEGER, 'max-safe');
    await store.store(2n ** 53n, 'two-pow-53');
    await store.store(big, 'u64-max');
    await store.store(5n, 'five');
    expect(store.retrieve(5)).toBe('five');
    expect(store.retrieve(Number.MAX_SAFE_INTEGER - 1)).toBeUndefined();
    await store.close();
    const reopened = await openStore(dir);
    const ids = [...reopened.ids()];
    expect(ids).toHaveLength(4);
    expect(ids).toEqual(expect.arrayContaining([5, Number.MAX_SAFE_INTEGER, 2n ** 53n, big]));
    expect(reopened.retrieve(big)).toBe('u64-max');
    expect(reopened.retrieve(2n ** 53n)).toBe('two-pow-53');
    await reopened.close();
  });

  it('rejects ids that are not u64 with RecordEncodeError', async () => {
    const store = await openStore(tempDir());
    await expect(store.store(-1, 'x')).rejects.toBeInstanceOf(RecordEncodeError);
    await expect(store.store(1.5, 'x')).rejects.toBeInstanceOf(RecordEncodeError);
    await expect(store.store(2 ** 53, 'x')).rejects.toThrow(/pass a bigint/);
    await expect(store.store(2n ** 64n, 'x')).rejects.toBeInstanceOf(RecordEncodeError);
    expect(() => store.retrieve(-3)).toThrow(RecordEncodeError);
    await store.close();
  });

  it('refuses values JSON would drop or change, naming the id and where', async () => {
    const store = await openStore(tempDir());
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cases: [unknown, RegExp][] = [
      [undefined, /id 7: the value undefined/],
      [() => 1, /id 7: the value a function/],
      [{ a: { b: [1, 2n] } }, /id 7: \$\.a\.b\[1\] is a BigInt/],
      [{ x: undefined }, /id 7: \$\.x is undefined/],
      [[1, () => 2], /\$\[1\] is a function/],
      [{ 'odd key': Number.NaN }, /\$\["odd key"\] is NaN/],
      [cyclic, /id 7: \$\.self refers back/],
      [Infinity, /the value is Infinity/],
    ];
    for (const [value, message] of cases) {
      const error: unknown = await store.store(7, value).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PayloadValueError);
      expect((error as PayloadValueError).id).toBe(7);
      expect((error as Error).message).toMatch(message);
    }
    await expect(store.storeBatch([[1, 'fine'], [2, { bad: Symbol('s') }]])).rejects.toThrow(/id 2: \$\.bad is a symbol/);
    expect(store.count).toBe(0);
    expect(store.stats().logBytes).toBe(0);
    // A Date is refused: JSON would bring it back as a string.
    await expect(store.store(8, { at: new Date(0) })).rejects.toThrow(/id 8: \$\.at is a Date, not a plain JSON object/);
    expect(store.count).toBe(0);
    await store.close();
  });

  it('writes a batch with one write and one sync, and a deferred batch with none until flush()', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const before = store.stats();
    await store.storeBatch(Array.from({ length: 100 }, (_, i) => [i, { i }] as const));
    const after = store.stats();
    expect(after.writes - before.writes).toBe(1);
    expect(after.syncs - before.syncs).toBe(1);
    expect(store.retrieve(42)).toEqual({ i: 42 });

    await store.storeBatchDeferred(Array.from({ length: 50 }, (_, i) => [1000 + i, i] as const));
    expect(store.stats().syncs).toBe(after.syncs);
    // Served from memory before it is written.
    expect(store.retrieve(1049)).toBe(49);
    await store.flush();
    expect(store.stats().syncs).toBe(after.syncs + 1);
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.count).toBe(150);
    await reopened.close();
  });

  it('group-commits 64 concurrent fsync stores: two writes and two syncs (a burst is cut at 32)', async () => {
    const store = await openStore(tempDir());
    await store.store(0, 'warm-up');
    const before = store.stats();
    await Promise.all(Array.from({ length: 64 }, (_, i) => store.store(i + 1, { value: i })));
    const after = store.stats();
    expect(after.syncs - before.syncs).toBe(2);
    expect(after.writes - before.writes).toBe(2);
    for (let i = 0; i < 64; i++) expect(store.retrieve(i + 1)).toEqual({ value: i });
    await store.close();
  });

  it('deletes an unknown id without writing or syncing, and deletes a batch with one write and one sync', async () => {
    const store = await openStore(tempDir());
    await store.storeBatch([[1, 'a'], [2, 'b'], [3, 'c']]);
    const before = store.stats();
    expect(await store.delete(404)).toBe(false);
    expect(await store.deleteBatch([405, 406])).toBe(0);
    expect(store.stats()).toMatchObject({ logBytes: before.logBytes, writes: before.writes, syncs: before.syncs });

    expect(await store.deleteBatch([1, 3, 404])).toBe(2);
    const after = store.stats();
    expect(after.writes - before.writes).toBe(1);
    expect(after.syncs - before.syncs).toBe(1);
    expect([...store.ids()]).toEqual([2]);
    await store.close();
  });

  it('applies a delete issued right after a store that has not settled yet', async () => {
    const store = await openStore(tempDir());
    const storing = store.store(9, 'short-lived');
    const deleting = store.delete(9);
    await storing;
    expect(await deleting).toBe(true);
    expect(store.retrieve(9)).toBeUndefined();
    await store.close();
  });

  it("with durability 'none' acknowledges at once, serves from memory and writes in the background", async () => {
    const dir = tempDir();
    const store = await openStore(dir, { durability: 'none', flushIntervalMs: 5 });
    await store.store(1, 'quick');
    expect(store.retrieve(1)).toBe('quick');
    expect(statSync(path.join(dir, LOG_FILE)).size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(statSync(path.join(dir, LOG_FILE)).size).toBeGreaterThan(0);
    expect(store.stats().syncs).toBe(0);
    await store.close();
    const reopened = await openStore(dir);
    expect(reopened.retrieve(1)).toBe('quick');
    await reopened.close();
  });

  it("with durability 'flush' writes before settling but does not sync", async () => {
    const dir = tempDir();
    const store = await openStore(dir, { durability: 'flush' });
    await store.store(1, 'in-the-os');
    expect(statSync(path.join(dir, LOG_FILE)).size).toBeGreaterThan(0);
    expect(store.stats().syncs).toBe(0);
    await store.flush();
    expect(store.stats().syncs).toBe(1);
    await store.close();
  });

  it('throws PayloadCorruptError naming the id and offset when a stored payload fails its CRC', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, { text: 'first' });
    await store.store(2, { text: 'second' });
    const offset = store.stats().logBytes - (17 + JSON.stringify({ text: 'second' }).length);
    const logPath = path.join(dir, LOG_FILE);
    const bytes = readFileSync(logPath);
    bytes[offset + 15] = bytes[offset + 15]! ^ 0x20;
    writeFileSync(logPath, bytes);
    const error: unknown = (() => {
      try {
        return store.retrieve(2);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PayloadCorruptError);
    expect(error).toMatchObject({ id: 2, offset });
    expect((error as Error).message).toMatch(/CRC does not match/);
    expect(store.retrieve(1)).toEqual({ text: 'first' });
    await store.close();
  });

  it('cuts a torn tail on open, keeps it in a quarantine file, and later writes survive the next open', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, 'kept');
    await store.store(2, 'torn-away');
    await store.close();
    const logPath = path.join(dir, LOG_FILE);
    const full = statSync(logPath).size;
    truncateSync(logPath, full - 5);

    const { warnings, onWarning } = collectWarnings();
    const repaired = await openStore(dir, { onWarning });
    expect(repaired.retrieve(1)).toBe('kept');
    expect(repaired.retrieve(2)).toBeUndefined();
    const stats = repaired.stats();
    expect(stats.bytesTruncated).toBe(17 + '"torn-away"'.length - 5);
    expect(stats.quarantinePath).toBeDefined();
    expect(existsSync(stats.quarantinePath!)).toBe(true);
    expect(warnings.map((w) => w.code)).toContain('torn-tail');
    await repaired.store(3, 'after-repair');
    await repaired.close();

    const again = await openStore(dir);
    expect(again.retrieve(3)).toBe('after-repair');
    expect(again.stats().bytesTruncated).toBe(0);
    await again.close();
  });

  it('cuts the log at an unknown marker byte and keeps writing after the last valid record', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, 'kept');
    await store.close();
    appendFileSync(path.join(dir, LOG_FILE), Buffer.from([0x55, 1, 2, 3, 4, 5]));
    const repaired = await openStore(dir);
    expect(repaired.stats().bytesTruncated).toBe(6);
    await repaired.store(2, 'next');
    await repaired.close();
    const again = await openStore(dir);
    expect(again.retrieve(1)).toBe('kept');
    expect(again.retrieve(2)).toBe('next');
    await again.close();
  });

  it('skips a CRC-mismatched record in the middle with a warning and counts it', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, 'a');
    await store.store(2, 'bbb');
    await store.store(3, 'c');
    await store.close();
    const logPath = path.join(dir, LOG_FILE);
    const bytes = readFileSync(logPath);
    const second = 17 + 3;
    bytes[second + 14] = 0x41;
    writeFileSync(logPath, bytes);
    const { warnings, onWarning } = collectWarnings();
    const reopened = await openStore(dir, { onWarning });
    expect(reopened.retrieve(1)).toBe('a');
    expect(reopened.retrieve(2)).toBeUndefined();
    expect(reopened.retrieve(3)).toBe('c');
    expect(reopened.stats().corruptRecordsSkipped).toBe(1);
    expect(warnings).toEqual([expect.objectContaining({ code: 'corrupt-record', offset: second })]);
    await reopened.close();
  });

  it('locks the directory against a second writer, naming the holder, and lets a read-only open in', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, 'one');
    const error: unknown = await openStore(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryLockedError);
    expect((error as DirectoryLockedError).holderPid).toBe(process.pid);
    expect((error as Error).message).toContain(String(process.pid));

    const reader = await openStore(dir, { readOnly: true });
    expect(reader.retrieve(1)).toBe('one');
    await expect(reader.store(2, 'x')).rejects.toBeInstanceOf(LogReadOnlyError);
    await expect(reader.delete(1)).rejects.toBeInstanceOf(LogReadOnlyError);
    await expect(reader.delete(12345)).rejects.toBeInstanceOf(LogReadOnlyError);
    expect(() => reader.compact()).toThrow(LogReadOnlyError);
    expect(() => reader.createSnapshot()).toThrow(LogReadOnlyError);
    await reader.close();
    await store.close();
    const next = await openStore(dir);
    await next.close();
  });

  it('opens read-only without repairing a torn tail or creating files', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.store(1, 'one');
    await store.close();
    appendFileSync(path.join(dir, LOG_FILE), Buffer.from([0xc3, 1, 2]));
    const sizeBefore = statSync(path.join(dir, LOG_FILE)).size;
    const reader = await openStore(dir, { readOnly: true });
    expect(reader.retrieve(1)).toBe('one');
    await reader.close();
    expect(statSync(path.join(dir, LOG_FILE)).size).toBe(sizeBefore);
    expect(readdirSync(dir).sort()).toEqual([LOG_FILE]);

    const empty = path.join(tempDir(), 'never-created');
    const none = await openStore(empty, { readOnly: true });
    expect(none.count).toBe(0);
    await none.close();
    expect(existsSync(empty)).toBe(false);
  });

  it('throws LogClosedError after close', async () => {
    const store = await openStore(tempDir());
    await store.close();
    await expect(store.store(1, 'x')).rejects.toBeInstanceOf(LogClosedError);
    expect(() => store.retrieve(1)).toThrow(LogClosedError);
    await store.close();
  });

  it('accounts live and dead bytes', async () => {
    const store = await openStore(tempDir());
    await store.store(1, 'aaaa');
    await store.store(2, 'bb');
    await store.store(1, 'cccccc');
    await store.delete(2);
    const stats = store.stats();
    const live = 17 + '"cccccc"'.length;
    expect(stats.liveBytes).toBe(live);
    expect(stats.logBytes).toBe(17 + 6 + 17 + 4 + live + 13);
    expect(stats.deadBytes).toBe(stats.logBytes - live);
    expect(stats.count).toBe(1);
    await store.close();
  });
});

describe('PayloadStore snapshots', () => {
  it('writes a snapshot, opens from it, and replays only the writes after it', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await store.storeBatch(Array.from({ length: 20 }, (_, i) => [i, { i }] as const));
    await store.delete(3);
    const snapshot = await store.createSnapshot();
    expect(snapshot).toEqual({ walPosition: store.stats().logBytes, entries: 19 });
    await store.store(100, 'after');
    await store.delete(4);
    await store.close();

    const reopened = await openStore(dir);
    const stats = reopened.stats();
    expect(stats.openedFromSnapshot).toBe(true);
    expect(stats.recordsReplayed).toBe(2);
    expect(stats.lastSnapshotPosition).toBe(snapshot.walPosition);
    expect(reopened.retrieve(100)).toBe('after');
    expect(reopened.retrieve(3)).toBeUndefined();
    expect(reopened.retrieve(4)).toBeUndefined();
    expect(reopened.retrieve(19)).toEqual({ i: 19 });
    expect(reopened.count).toBe(19);
    // Sizes unknown after a snapshot load are learned for the accounting.
    expect(stats.liveBytes + stats.deadBytes).toBe(stats.logBytes);
    expect(stats.liveBytes).toBe(17 * 19 + [...reopened.ids()].reduce<number>((n, id) => n + JSON.stringify(reopened.retrieve(id)).length, 0));
    await reopened.close();
  });

  it('snapshots on its own once the log grows past the threshold, without failing or holding the write', async () => {
    const dir = tempDir();
    const store = await openStore(dir, { snapshotThresholdBytes: 1000 });
    expect(store.shouldCreateSnapshot()).toBe(false);
    for (let i = 0; i < 30; i++) await store.store(i, { text: 'x'.repeat(50) });
    await store.close();
    expect(existsSync(path.join(dir, SNAPSHOT_FILE))).toBe(true);
    const reopened = await openStore(dir);
    expect(reopened.stats().openedFromSnapshot).toBe(true);
    expect(reopened.stats().snapshotsWritten).toBe(0);
    expect(reopened.count).toBe(30);
    await reopened.close();
  });

  it('keeps every write made by concurrent writers while snapshots keep being taken', async () => {
    // Writes that arrive while a snapshot copies the index wait for it; none may fall between the index
    // copy and the snapshot's log position, or a reopen from that snapshot would lose it.
    const dir = tempDir();
    const store = await openStore(dir, { snapshotThresholdBytes: 300 });
    // Each writer goes on until several snapshots were taken under it (a snapshot takes a few fsyncs, so how
    // many writes that needs depends on the disk).
    const written = Array.from({ length: 32 }, () => 0);
    await Promise.all(
      written.map(async (_, writer) => {
        for (let n = 0; n < 12 || (store.stats().snapshotsWritten < 3 && n < 1000); n++) {
          await store.store(writer * 10_000 + n, { writer, n });
          if (n % 4 === 3) await store.deleteBatch([writer * 10_000 + n - 1]);
          written[writer] = n + 1;
        }
      }),
    );
    const snapshots = store.stats().snapshotsWritten;
    await store.close();
    expect(snapshots).toBeGreaterThanOrEqual(3);
    const reopened = await openStore(dir);
    expect(reopened.stats().openedFromSnapshot).toBe(true);
    for (const [writer, count] of written.entries()) {
      for (let n = 0; n < count; n++) {
        // The last write of a writer may be a store whose delete never came (n % 4 === 2 with no n + 1).
        const deleted = n % 4 === 2 && n + 1 < count;
        expect(reopened.retrieve(writer * 10_000 + n)).toEqual(deleted ? undefined : { writer, n });
      }
    }
    await reopened.close();
  });

  it('reports a failed background snapshot as a warning and keeps the write that triggered it', async () => {
    const dir = tempDir();
    const { warnings, onWarning } = collectWarnings();
    const store = await openStore(dir, { snapshotThresholdBytes: 10, onWarning });
    // A non-empty directory where the snapshot goes makes its rename fail.
    mkdirSync(path.join(dir, SNAPSHOT_FILE, 'blocker'), { recursive: true });
    await store.store(1, 'survives');
    await store.close();
    expect(warnings.map((w) => w.code)).toEqual(['snapshot-failed']);
    rmSync(path.join(dir, SNAPSHOT_FILE), { recursive: true });
    const reopened = await openStore(dir);
    expect(reopened.retrieve(1)).toBe('survives');
    await reopened.close();
  });
});
