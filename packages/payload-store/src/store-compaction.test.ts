import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PayloadStore } from './payload-store.js';
import { COMPACTION_FILE } from './store-files.js';
import { tempDir } from './test-support/temp-dir.js';

describe('PayloadStore compaction', () => {
  it('rewrites only live records, keeps every value, and drops the stale snapshot for a fresh one', async () => {
    const dir = tempDir();
    const store = await PayloadStore.open(dir);
    for (let round = 0; round < 5; round++) {
      await store.storeBatch(Array.from({ length: 40 }, (_, i) => [i, { round, i }] as const));
    }
    await store.deleteBatch([0, 1, 2]);
    await store.createSnapshot();
    const before = store.stats();
    const result = await store.compact();
    const after = store.stats();
    expect(result.bytesBefore).toBe(before.logBytes);
    expect(result.bytesAfter).toBe(before.liveBytes);
    expect(after.deadBytes).toBe(0);
    expect(after.compactions).toBe(1);
    expect(after.lastSnapshotPosition).toBe(after.logBytes);
    for (let i = 3; i < 40; i++) expect(store.retrieve(i)).toEqual({ round: 4, i });
    expect(store.retrieve(0)).toBeUndefined();
    expect(existsSync(path.join(dir, COMPACTION_FILE))).toBe(false);
    await store.store(1, 'after-compaction');
    await store.close();

    const reopened = await PayloadStore.open(dir);
    expect(reopened.stats().openedFromSnapshot).toBe(true);
    expect(reopened.count).toBe(38);
    expect(reopened.retrieve(1)).toBe('after-compaction');
    expect(reopened.retrieve(39)).toEqual({ round: 4, i: 39 });
    await reopened.close();
  });

  it('keeps reads working and writes made during compaction', async () => {
    const dir = tempDir();
    const store = await PayloadStore.open(dir);
    const value = (i: number, v: number): { i: number; v: number; pad: string } => ({ i, v, pad: 'p'.repeat(1000) });
    for (let v = 0; v < 3; v++) await store.storeBatch(Array.from({ length: 3000 }, (_, i) => [i, value(i, v)] as const));
    const expected = new Map<number, unknown>();
    for (let i = 0; i < 3000; i++) expected.set(i, value(i, 2));
    const compacting = store.compact();
    const progress = { done: false };
    void compacting.finally(() => {
      progress.done = true;
    });
    const writes: Promise<unknown>[] = [];
    let reads = 0;
    // Ids 100..1999 are only read; ids below 100 are overwritten and ids 2000..2499 deleted meanwhile.
    for (let n = 0; !progress.done; n++) {
      const id = 100 + (n % 1900);
      expect(store.retrieve(id)).toEqual(value(id, 2));
      reads++;
      if (n % 5 === 0) {
        writes.push(store.store(n % 100, value(n % 100, 1000 + n)));
        expected.set(n % 100, value(n % 100, 1000 + n));
      }
      if (n % 7 === 0) {
        writes.push(store.delete(2000 + (n % 500)));
        expected.delete(2000 + (n % 500));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await compacting;
    await Promise.all(writes);
    expect(writes.length).toBeGreaterThan(1);
    expect(reads).toBeGreaterThan(1);
    const check = (s: PayloadStore): void => {
      expect(s.count).toBe(expected.size);
      for (const [id, v] of expected) expect(s.retrieve(id)).toEqual(v);
    };
    check(store);
    await store.close();
    const reopened = await PayloadStore.open(dir);
    check(reopened);
    await reopened.close();
  });

  it('removes a stale compaction file on open', async () => {
    const dir = tempDir();
    const store = await PayloadStore.open(dir);
    await store.store(1, 'one');
    await store.close();
    writeFileSync(path.join(dir, COMPACTION_FILE), 'half-written');
    const reopened = await PayloadStore.open(dir);
    expect(existsSync(path.join(dir, COMPACTION_FILE))).toBe(false);
    expect(reopened.retrieve(1)).toBe('one');
    await reopened.close();
  });

  it('compacts on its own past the dead-bytes ratio when asked to', async () => {
    const dir = tempDir();
    const store = await PayloadStore.open(dir, { autoCompactDeadRatio: 0.5, autoCompactMinBytes: 2000, snapshotThresholdBytes: Infinity });
    for (let v = 0; v < 10; v++) await store.store(1, { v, pad: 'x'.repeat(100) });
    await store.close();
    const reopened = await PayloadStore.open(dir);
    expect(reopened.retrieve(1)).toEqual({ v: 9, pad: 'x'.repeat(100) });
    expect(reopened.stats().logBytes).toBeLessThan(2000);
    await reopened.close();
  });
});
