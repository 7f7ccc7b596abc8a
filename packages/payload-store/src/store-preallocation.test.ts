/**
 * PayloadStore writes through the preallocating AppendLog: a crash leaves its log with zeros after the last
 * record, which must read as the clean end (no quarantine, nothing lost), and its stats count data only.
 */
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PayloadStore } from './payload-store.js';
import { LOG_FILE, SNAPSHOT_FILE } from './store-files.js';
import type { PayloadStoreWarning } from './warnings.js';
import { tempDir } from './test-support/temp-dir.js';

const valueOf = (id: number): unknown => ({ id, pad: 'p'.repeat(id % 50) });

/** A store directory as a crash leaves it: the files copied while the store is open (its LOCK left out). */
async function crashedStore(count: number, snapshot: boolean): Promise<{ dir: string; logBytes: number }> {
  const live = tempDir('prealloc-live');
  const store = await PayloadStore.open(live);
  await Promise.all(Array.from({ length: count }, (_, i) => store.store(i + 1, valueOf(i + 1))));
  if (snapshot) await store.createSnapshot();
  const logBytes = store.stats().logBytes;
  const dir = tempDir('prealloc-crashed');
  for (const name of [LOG_FILE, SNAPSHOT_FILE]) {
    if (readdirSync(live).includes(name)) copyFileSync(path.join(live, name), path.join(dir, name));
  }
  await store.close();
  return { dir, logBytes };
}

async function reopen(dir: string): Promise<{ store: PayloadStore; warnings: PayloadStoreWarning[] }> {
  const warnings: PayloadStoreWarning[] = [];
  const store = await PayloadStore.open(dir, { onWarning: (w) => warnings.push(w) });
  return { store, warnings };
}

describe('PayloadStore over a preallocated log', () => {
  it.each([
    ['a full replay', false],
    ['a snapshot at the end of the data', true],
  ])('reopens after a crash with every record, no warning and no quarantine (%s)', async (_, snapshot) => {
    const { dir, logBytes } = await crashedStore(300, snapshot);
    const logPath = path.join(dir, LOG_FILE);
    const fileBytes = statSync(logPath).size;
    expect(fileBytes).toBeGreaterThan(logBytes);
    expect(readFileSync(logPath).subarray(logBytes).every((b) => b === 0)).toBe(true);

    const { store, warnings } = await reopen(dir);
    expect(warnings).toEqual([]);
    expect(store.count).toBe(300);
    for (let id = 1; id <= 300; id++) expect(store.retrieve(id)).toEqual(valueOf(id));
    expect(store.stats()).toMatchObject({ logBytes, bytesTruncated: 0, quarantinePath: undefined, openedFromSnapshot: snapshot });
    await store.store(301, valueOf(301));
    expect(store.stats().logBytes).toBeGreaterThan(logBytes);
    await store.close();
    expect(readdirSync(dir).filter((name) => name.includes('quarantine'))).toEqual([]);
    // Closed cleanly, the log is as long as its data.
    expect(statSync(logPath).size).toBeLessThan(fileBytes);
    const again = await reopen(dir);
    expect(again.store.retrieve(301)).toEqual(valueOf(301));
    expect(statSync(logPath).size).toBe(again.store.stats().logBytes);
    await again.store.close();
  });

  it('quarantines zeros followed by garbage after the last record', async () => {
    const { dir, logBytes } = await crashedStore(50, false);
    const logPath = path.join(dir, LOG_FILE);
    const bytes = readFileSync(logPath);
    bytes[logBytes + 1000] = 0x5a;
    writeFileSync(logPath, bytes);

    const { store, warnings } = await reopen(dir);
    expect(store.count).toBe(50);
    expect(warnings.map((w) => w.code)).toEqual(['torn-tail']);
    expect(store.stats()).toMatchObject({ logBytes, bytesTruncated: bytes.length - logBytes });
    await store.close();
    expect(readdirSync(dir).filter((name) => name.includes('quarantine'))).toHaveLength(1);
  });
});
