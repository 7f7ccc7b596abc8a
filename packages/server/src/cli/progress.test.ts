import { Database } from '@kilndb/doc-engine';
import { nodeFileSystem } from '@kilndb/snapshot';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countingFileSystem, createProgress, formatBytes } from './progress.js';
import { cleanEnv, KILNDB_BIN, tempDir } from './test-support/run-cli.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(async () => {
  await temp.remove();
});

// `script` runs a command on a pseudo-terminal; without it there is no terminal to show a bar on.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

describe('progress', { timeout: 60_000 }, () => {
  it('counts every byte read through the wrapped file system', async () => {
    const file = join(temp.dir, 'data.bin');
    await writeFile(file, Buffer.alloc(10_000, 7));
    let read = 0;
    const fs = countingFileSystem(nodeFileSystem, (bytes) => (read += bytes));
    const handle = await fs.open(file, 'read');
    expect(await handle.read(new Uint8Array(4096), 0)).toBe(4096);
    expect(handle.readSync(new Uint8Array(8192), 4096)).toBe(5904);
    await handle.close();
    expect((await fs.readFile(file)).length).toBe(10_000);
    expect(read).toBe(20_000);
  });

  it('is the plain file system and draws nothing when not interactive', () => {
    const progress = createProgress(false);
    expect(progress.fs).toBe(nodeFileSystem);
    progress.start('x', 10);
    progress.advance(5);
    progress.stop();
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10.0 MiB');
  });

  it.skipIf(!hasScript)('draws a bar when stdout is a terminal (util-linux script gives it one)', async () => {
    const dir = join(temp.dir, 'db');
    const db = await Database.open(dir, { durability: 'flush' });
    await db.collection('c').set('k', { v: 1 });
    await db.close();
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${KILNDB_BIN}" verify "${dir}"`, '/dev/null'], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/verifying \[[░█]+\] \d+%/);
    expect(run.stdout).toMatch(/\nok\r?\n/);
  });
});
