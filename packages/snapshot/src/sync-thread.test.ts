import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileHandle } from './file-system.js';
import { syncThreadAnswers } from './sync-thread.js';
import { tempDir } from './test-support/temp-dir.js';

/** The thread starts on the first sync and takes requests once it runs: sync until it has answered one (bounded). */
async function syncUntilTheThreadAnswers(handle: FileHandle): Promise<void> {
  const before = syncThreadAnswers();
  const deadline = Date.now() + 5000;
  for (let i = 0; i < 500 && Date.now() < deadline && syncThreadAnswers() === before; i++) {
    await handle.datasync();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(syncThreadAnswers()).toBeGreaterThan(before);
}

describe('the sync thread behind nodeFileSystem datasync', () => {
  it('syncs a log-like stream of writes, answering requests that came during a sync with the next one', async () => {
    const file = path.join(tempDir(), 'log');
    const handle = await nodeFileSystem.open(file, 'create');
    await syncUntilTheThreadAnswers(handle);
    const before = syncThreadAnswers();
    const syncs: Promise<void>[] = [];
    let expected = '';
    for (let i = 0; i < 200; i++) {
      const line = `record ${i}\n`;
      handle.writeSync(Buffer.from(line), expected.length);
      expected += line;
      syncs.push(handle.datasync());
      if (i % 20 === 19) await Promise.all(syncs);
    }
    await Promise.all(syncs);
    const answers = syncThreadAnswers() - before;
    // Two hundred requests on one descriptor: the thread took them (some answered by one fdatasync together).
    expect(answers).toBeGreaterThan(0);
    expect(answers).toBeLessThanOrEqual(200);
    await handle.close();
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('sends a second descriptor to the thread pool while the thread is busy, and wakes the thread after it slept', async () => {
    const dir = tempDir();
    const first = await nodeFileSystem.open(path.join(dir, 'a'), 'create');
    const second = await nodeFileSystem.open(path.join(dir, 'b'), 'create');
    await syncUntilTheThreadAnswers(first);
    first.writeSync(Buffer.from('a'), 0);
    second.writeSync(Buffer.from('b'), 0);
    await Promise.all([first.datasync(), second.datasync(), first.datasync(), second.datasync()]);
    // Longer than the thread spins: it sleeps, and the next request must wake it.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const before = syncThreadAnswers();
    await second.datasync();
    expect(syncThreadAnswers()).toBe(before + 1);
    await Promise.all([first.close(), second.close()]);
  });

  it('fails a sync the thread could not make with the error fs.fdatasync gives', async () => {
    const dir = tempDir();
    const warm = await nodeFileSystem.open(path.join(dir, 'warm'), 'create');
    await syncUntilTheThreadAnswers(warm);
    await warm.close();
    // /dev/null cannot be fdatasync'd: EINVAL.
    const handle = await nodeFileSystem.open('/dev/null', 'read');
    const before = syncThreadAnswers();
    await expect(handle.datasync()).rejects.toMatchObject({ code: 'EINVAL', syscall: 'fdatasync', message: 'EINVAL: invalid argument, fdatasync' });
    expect(syncThreadAnswers()).toBe(before + 1);
    await handle.close();
  });

  it('does not keep a process alive once its syncs are answered', () => {
    const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');
    const script = `
      import { nodeFileSystem } from ${JSON.stringify(dist)};
      import { syncThreadAnswers } from ${JSON.stringify(dist.replace(/index\.js$/, 'sync-thread.js'))};
      const handle = await nodeFileSystem.open(${JSON.stringify(path.join(tempDir(), 'f'))}, 'create');
      for (let i = 0; i < 500 && syncThreadAnswers() === 0; i++) {
        handle.writeSync(Buffer.from('x'), i);
        await handle.datasync();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await handle.close();
      console.log(syncThreadAnswers() > 0 ? 'answered' : 'never answered');
    `;
    const started = Date.now();
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(out.trim()).toBe('answered');
    // It ends when its work does, not when the thread's 1 s sleep times out.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
