import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
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
      readOnly: false,
      onWarning: () => undefined,
      ...({ durability: undefined } as object),
    });
    expect(store.durability).toBe('fsync');
    await store.close();
  });
});
