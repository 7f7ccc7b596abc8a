import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryLock } from './directory-lock.js';
import { DirectoryLockedError } from '../errors.js';

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
    expect(readFileSync(path.join(dir, 'LOCK'), 'utf8').split('\n')[0]).toBe(String(process.pid));
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
    expect(readFileSync(path.join(dir, 'LOCK'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    await lock.release();
  });

  it('takes over a lock file with no pid in it', async () => {
    writeFileSync(path.join(dir, 'LOCK'), '');
    const lock = await DirectoryLock.acquire(dir);
    await lock.release();
  });

  it('waits for a lock file that is still being written instead of taking it over', async () => {
    const lockPath = path.join(dir, 'LOCK');
    // Its creator made the file and writes its pid a moment later (the parent process stands in, alive).
    writeFileSync(lockPath, '');
    const writing = new Promise<void>((resolve) => {
      setTimeout(() => {
        writeFileSync(lockPath, `${process.ppid}\n`);
        resolve();
      }, 40);
    });
    await expect(DirectoryLock.acquire(dir)).rejects.toMatchObject({ name: 'DirectoryLockedError', holderPid: process.ppid });
    await writing;
  });

  it.runIf(existsSync('/proc/sys/kernel/random/boot_id'))(
    'takes over a lock written before a reboot, though its pid is in use again',
    async () => {
      writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n00000000-0000-0000-0000-000000000000\nold\n`);
      const lock = await DirectoryLock.acquire(dir);
      expect(readFileSync(path.join(dir, 'LOCK'), 'utf8').split('\n')[0]).toBe(String(process.pid));
      await lock.release();
    },
  );

  it('lets exactly one of several takeovers of the same stale lock win', async () => {
    for (let round = 0; round < 10; round++) {
      writeFileSync(path.join(dir, 'LOCK'), `${deadPid()}\n`);
      const results = await Promise.allSettled([DirectoryLock.acquire(dir), DirectoryLock.acquire(dir), DirectoryLock.acquire(dir)]);
      const won = results.filter((result) => result.status === 'fulfilled');
      expect(won, `round ${round}`).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DirectoryLockedError);
      }
      await won[0]?.value.release();
      expect(existsSync(path.join(dir, 'LOCK'))).toBe(false);
    }
  });

  it('leaves alone a lock file that another holder has replaced', async () => {
    const lock = await DirectoryLock.acquire(dir);
    writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n\nsomeone-else\n`);
    await lock.release();
    expect(readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe(`${process.ppid}\n\nsomeone-else\n`);
  });
});
