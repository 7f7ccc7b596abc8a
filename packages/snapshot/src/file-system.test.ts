import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from './file-system.js';
import { tempDir } from './test-support/temp-dir.js';

describe('nodeFileSystem handles', () => {
  it('fdatasync through datasync and datasyncSync, and close only once the syncs under way are done', async () => {
    const file = path.join(tempDir(), 'f');
    const handle = await nodeFileSystem.open(file, 'create');
    handle.writeSync(Buffer.from('durable'), 0);
    handle.datasyncSync?.();
    const order: string[] = [];
    const syncs = [1, 2, 3].map(async (n) => {
      await handle.datasync();
      order.push(`synced ${n}`);
    });
    await handle.close();
    order.push('closed');
    await Promise.all(syncs);
    // The syncs run side by side on the thread pool, in any order; the close comes after all of them.
    expect(order.at(-1)).toBe('closed');
    expect(order.slice(0, -1).sort()).toEqual(['synced 1', 'synced 2', 'synced 3']);
    expect(readFileSync(file, 'utf8')).toBe('durable');
  });

  it('rejects a datasync on a closed handle instead of hanging', async () => {
    const handle = await nodeFileSystem.open(path.join(tempDir(), 'f'), 'create');
    await handle.close();
    await expect(handle.datasync()).rejects.toThrow();
  });
});
