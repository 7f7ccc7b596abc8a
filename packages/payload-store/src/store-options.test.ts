import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreOptionError } from './errors.js';
import { PayloadStore } from './payload-store.js';
import { tempDir } from './test-support/temp-dir.js';

describe('PayloadStore.open options', () => {
  it.each([
    ['durability', { durability: 'FSYNC' }, `must be 'fsync', 'flush' or 'none', got "FSYNC"`],
    ['snapshotThresholdBytes', { snapshotThresholdBytes: -1 }, 'must be a positive number of bytes (or Infinity), got -1'],
    ['snapshotThresholdBytes', { snapshotThresholdBytes: Number.NaN }, 'got NaN'],
    ['snapshotThresholdBytes', { snapshotThresholdBytes: '10' }, 'got "10"'],
    ['autoCompactDeadRatio', { autoCompactDeadRatio: 0 }, 'must be a share of the log, 0 < ratio ≤ 1, got 0'],
    ['autoCompactDeadRatio', { autoCompactDeadRatio: 1.5 }, 'got 1.5'],
    ['autoCompactMinBytes', { autoCompactMinBytes: -5 }, 'must be a non-negative number of bytes, got -5'],
    ['flushIntervalMs', { flushIntervalMs: Number.NaN }, 'must be a positive number of milliseconds up to 2147483647, got NaN'],
    ['flushIntervalMs', { flushIntervalMs: 0 }, 'got 0'],
    ['inlineSync', { inlineSync: 'no' }, 'must be a boolean, got "no"'],
    ['readOnly', { readOnly: 'yes' }, 'must be a boolean, got "yes"'],
    ['onWarning', { onWarning: 'log' }, 'must be a function, got "log"'],
    ['fs', { fs: {} }, 'must be a FileSystem (from @kilndb/snapshot): it has no open method'],
    ['durabilty', { durabilty: 'none' }, 'is not an option of PayloadStore.open (known: durability, snapshotThresholdBytes,'],
  ])('refuses a bad %s with StoreOptionError naming it, creating nothing', async (option, options, problem) => {
    const dir = path.join(tempDir(), 'store');
    const error: unknown = await PayloadStore.open(dir, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreOptionError);
    expect((error as StoreOptionError).option).toBe(option);
    expect((error as Error).message).toMatch(new RegExp(`^invalid option ${option}: `));
    expect((error as Error).message).toContain(problem);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses options that are not an object', async () => {
    await expect(PayloadStore.open(tempDir(), 'fsync' as never)).rejects.toThrow('invalid option options: must be an object, got "fsync"');
  });

  it('takes every valid option, and an option set to undefined as not given', async () => {
    const store = await PayloadStore.open(tempDir(), {
      durability: 'flush',
      snapshotThresholdBytes: Infinity,
      autoCompactDeadRatio: 1,
      autoCompactMinBytes: 0,
      flushIntervalMs: 5,
      inlineSync: false,
      readOnly: false,
      onWarning: () => undefined,
      ...({ durability: undefined } as object),
    });
    expect(store.durability).toBe('fsync');
    await store.close();
  });
});

describe('PayloadStore inlineSync', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [undefined, true],
    [false, false],
  ])('with inlineSync %s, a lone writer syncs on its own thread: %s', async (inlineSync, inline) => {
    // Every sync appears quick, so the disk under the test runner cannot decide it.
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 0.05));
    const store = await PayloadStore.open(tempDir(), inlineSync === undefined ? {} : { inlineSync });
    for (let id = 1; id <= 30; id++) await store.store(id, { id });
    const { syncs, inlineSyncs } = store.stats();
    expect(syncs).toBeGreaterThanOrEqual(30);
    if (inline) expect(inlineSyncs).toBeGreaterThan(0);
    else expect(inlineSyncs).toBe(0);
    await store.close();
  });
});
