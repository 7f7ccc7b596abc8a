import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreLayoutError } from './errors.js';
import { PayloadStore } from './payload-store.js';
import { tempDir } from './test-support/temp-dir.js';

describe('PayloadStore.open layout checks', () => {
  it('refuses a path that is a file, or under a file, with StoreLayoutError', async () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    for (const readOnly of [false, true]) {
      await expect(PayloadStore.open(file, { readOnly })).rejects.toThrow(new StoreLayoutError(file, 'is a file, not a store directory'));
    }
    await expect(PayloadStore.open(path.join(file, 'store'))).rejects.toThrow(StoreLayoutError);
  });

  it.each([
    ['a snapshot', (dir: string) => { writeFileSync(path.join(dir, 'snapshot.kilndocs'), ''); }, 'snapshot.kilndocs'],
    ['a keyring', (dir: string) => { writeFileSync(path.join(dir, 'KEYRING'), ''); }, 'KEYRING'],
    ['a log directory', (dir: string) => { mkdirSync(path.join(dir, 'log')); }, 'log/'],
  ])('refuses a doc-engine directory (%s) with StoreLayoutError and writes nothing', async (_, make, named) => {
    const dir = tempDir();
    make(dir);
    const before = readdirSync(dir).sort();
    for (const readOnly of [false, true]) {
      const error: unknown = await PayloadStore.open(dir, { readOnly }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLayoutError);
      expect((error as Error).message).toContain(`holds a @kilndb/doc-engine database (${named})`);
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('opens a directory with other files beside the payload files, as a VelesDB collection has', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), '{}');
    writeFileSync(path.join(dir, 'vectors.bin'), '');
    // A file named log is not a doc-engine log directory.
    writeFileSync(path.join(dir, 'log'), '');
    const store = await PayloadStore.open(dir);
    await store.store(1, 'x');
    await store.close();
  });
});
