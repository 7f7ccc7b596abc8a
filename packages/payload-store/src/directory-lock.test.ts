import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryLock } from './directory-lock.js';
import { DirectoryLockedError } from './errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kilndb-lock-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited, so it can hold no lock. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('DirectoryLock', () => {
  it('writes the holder pid and refuses a second holder, naming the pid', async () => {
    const lock = await DirectoryLock.acquire(dir);
    expect(readFileSync(path.join(dir, 'LOCK'), 'utf8').trim()).toBe(String(process.pid));
    const second = DirectoryLock.acquire(dir);
    await expect(second).rejects.toBeInstanceOf(DirectoryLockedError);
    await expect(second).rejects.toThrow(new RegExp(`process ${process.pid} \\(this process\\)`));
    await lock.release();
    expect(existsSync(path.join(dir, 'LOCK'))).toBe(false);
    const again = await DirectoryLock.acquire(dir);
    await again.release();
  });

  it('refuses a lock held by another live process', async () => {
    // The parent of this test process is alive for the whole test.
    writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n`);
    const attempt = DirectoryLock.acquire(dir);
    await expect(attempt).rejects.toMatchObject({ name: 'DirectoryLockedError', holderPid: process.ppid });
  });

  it('takes over a lock left by a process that died', async () => {
    writeFileSync(path.join(dir, 'LOCK'), `${deadPid()}\n`);
    const lock = await DirectoryLock.acquire(dir);
    expect(readFileSync(path.join(dir, 'LOCK'), 'utf8').trim()).toBe(String(process.pid));
    await lock.release();
  });

  it('takes over a lock file with no pid in it', async () => {
    writeFileSync(path.join(dir, 'LOCK'), '');
    const lock = await DirectoryLock.acquire(dir);
    await lock.release();
  });
});
