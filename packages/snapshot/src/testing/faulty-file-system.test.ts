import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isErrno, nodeFileSystem, type FileHandle } from '../file-system.js';
import { tempDir } from '../test-support/temp-dir.js';
import { SimulatedCrashError } from './errors.js';
import { FaultyFileSystem } from './faulty-file-system.js';

const text = (s: string) => new TextEncoder().encode(s);
const readText = (file: string) => readFileSync(file, 'utf8');

async function writeAndSync(fs: FaultyFileSystem, file: string, content: string): Promise<void> {
  const handle = await fs.open(file, 'truncate');
  await handle.write(text(content), 0);
  await handle.datasync();
  await handle.close();
}

/** A FaultyFileSystem over a fresh temp directory, with the file `name` in it created and open. */
async function openFresh(name = 'log'): Promise<{ dir: string; file: string; fs: FaultyFileSystem; handle: FileHandle }> {
  const dir = tempDir();
  const file = path.join(dir, name);
  const fs = new FaultyFileSystem(dir);
  const handle = await fs.open(file, 'create');
  return { dir, file, fs, handle };
}

describe('FaultyFileSystem crash model', () => {
  it('drops data written since the last datasync', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a');
    writeFileSync(file, 'old content');
    const fs = new FaultyFileSystem(dir);
    const handle = await fs.open(file, 'readWrite');
    await handle.write(text('NEW'), 0);
    expect(readText(file)).toBe('NEW content');
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe('old content');
  });

  it('keeps data covered by datasync and drops what came after it', async () => {
    const { dir, file, fs, handle } = await openFresh();
    await handle.write(text('first;'), 0);
    await handle.datasync();
    await fs.syncDirectory(dir);
    await handle.write(text('second;'), 6);
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe('first;');
  });

  it('keeps what datasyncSync covered and drops the writes after it', async () => {
    const { dir, file, fs, handle } = await openFresh();
    await fs.syncDirectory(dir);
    handle.writeSync(text('first;'), 0);
    handle.datasyncSync?.();
    handle.writeSync(text('second;'), 6);
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe('first;');
  });

  it('loses a synced new file whose directory was never synced', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    await writeAndSync(fs, path.join(dir, 'fresh'), 'data');
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reverts a rename until the directory is synced', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'current');
    writeFileSync(target, 'old');
    const fs = new FaultyFileSystem(dir);
    await writeAndSync(fs, path.join(dir, 'temp'), 'new');
    await fs.rename(path.join(dir, 'temp'), target);
    expect(readText(target)).toBe('new');
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readdirSync(dir)).toEqual(['current']);
    expect(readText(target)).toBe('old');
  });

  it('keeps a rename once the directory is synced', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'current');
    writeFileSync(target, 'old');
    const fs = new FaultyFileSystem(dir);
    await writeAndSync(fs, path.join(dir, 'temp'), 'new');
    await fs.rename(path.join(dir, 'temp'), target);
    await fs.syncDirectory(dir);
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readdirSync(dir)).toEqual(['current']);
    expect(readText(target)).toBe('new');
  });

  it('brings back an unlinked file until the directory is synced', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'gone'), 'still here');
    writeFileSync(path.join(dir, 'really-gone'), 'x');
    const fs = new FaultyFileSystem(dir);
    await fs.unlink(path.join(dir, 'really-gone'));
    await fs.syncDirectory(dir);
    await fs.unlink(path.join(dir, 'gone'));
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readdirSync(dir)).toEqual(['gone']);
    expect(readText(path.join(dir, 'gone'))).toBe('still here');
  });

  it('makes a new directory exist only once its parent is synced, and its entries only once it is', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    await fs.mkdir(path.join(dir, 'a', 'b'));
    await writeAndSync(fs, path.join(dir, 'a', 'b', 'file'), 'x');
    await fs.syncDirectory(dir);
    await fs.syncDirectory(path.join(dir, 'a'));
    await fs.mkdir(path.join(dir, 'unsynced'));
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readdirSync(dir)).toEqual(['a']);
    expect(readdirSync(path.join(dir, 'a'))).toEqual(['b']);
    expect(readdirSync(path.join(dir, 'a', 'b'))).toEqual([]);
  });

  it('keeps pre-existing nested files as they were', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'keep'), 'kept');
    const fs = new FaultyFileSystem(dir);
    await fs.crash();
    expect(readText(path.join(dir, 'sub', 'keep'))).toBe('kept');
  });

  it('keeps every unsynced change in keep-unsynced mode', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    await fs.mkdir(path.join(dir, 'sub'));
    const handle = await fs.open(path.join(dir, 'sub', 'f'), 'create');
    await handle.write(text('abc'), 0);
    await handle.truncate(2);
    await fs.crash({ mode: 'keep-unsynced' });
    expect(readText(path.join(dir, 'sub', 'f'))).toBe('ab');
  });

  it('undoes an unsynced truncate, including the one done by opening in truncate mode', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'abcdef');
    const fs = new FaultyFileSystem(dir);
    await fs.open(file, 'truncate');
    expect(readText(file)).toBe('');
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe('abcdef');
  });

  it('in random mode leaves an in-order prefix of unsynced writes, sometimes torn, the same for the same seed', async () => {
    const chunks = ['aaaa', 'bbbb', 'cccc', 'dddd'];
    const full = chunks.join('');
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const outcome = await crashDuringAppends(seed, chunks);
      expect(full.startsWith(outcome)).toBe(true);
      expect(await crashDuringAppends(seed, chunks)).toBe(outcome);
      outcomes.add(outcome);
    }
    expect(outcomes.size).toBeGreaterThan(4);
    expect([...outcomes].some((outcome) => outcome.length % 4 !== 0)).toBe(true);
    expect(outcomes.has('')).toBe(true);
    expect(outcomes.has(full)).toBe(true);
  });

  it('never tears a write when torn is false', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const outcome = await crashDuringAppends(seed, ['aaaa', 'bbbb', 'cccc'], false);
      expect(outcome.length % 4).toBe(0);
    }
  });

  it('fills the gap with zeros when a surviving write lies past the durable end', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, '');
    const fs = new FaultyFileSystem(dir);
    const handle = await fs.open(file, 'readWrite');
    await handle.write(text('zz'), 3);
    await fs.crash({ mode: 'keep-unsynced' });
    expect([...readFileSync(file)]).toEqual([0, 0, 0, 0x7a, 0x7a]);
  });
});

describe('FaultyFileSystem durable content', () => {
  it('shows zeros where a file was cut short and then written past its end', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'abcdef');
    const fs = new FaultyFileSystem(dir);
    const handle = await fs.open(file, 'readWrite');
    await handle.truncate(2);
    await handle.write(text('z'), 4);
    await handle.datasync();
    await handle.write(text('unsynced'), 5);
    await fs.crash({ mode: 'drop-unsynced' });
    expect([...readFileSync(file)]).toEqual([0x61, 0x62, 0, 0, 0x7a]);
  });

  it('keeps many synced appends in order', async () => {
    const { dir, file, fs, handle } = await openFresh();
    await fs.syncDirectory(dir);
    let expected = '';
    for (let i = 0; i < 300; i++) {
      const record = `record ${i};`;
      await handle.write(text(record), expected.length);
      await handle.datasync();
      expected += record;
    }
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe(expected);
  });
});

async function crashDuringAppends(seed: number, chunks: readonly string[], torn = true): Promise<string> {
  const dir = tempDir();
  const file = path.join(dir, 'log');
  writeFileSync(file, '');
  const fs = new FaultyFileSystem(dir, { seed });
  const handle = await fs.open(file, 'readWrite');
  let offset = 0;
  for (const chunk of chunks) {
    await handle.write(text(chunk), offset);
    offset += chunk.length;
  }
  await fs.crash({ torn });
  return readText(file);
}

describe('FaultyFileSystem scheduled faults', () => {
  it('surfaces an injected ENOSPC with its code on the matching write only', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'write', code: 'ENOSPC', path: path.join(dir, 'full'), nth: 1 });
    const other = await fs.open(path.join(dir, 'other'), 'create');
    await other.write(text('fine'), 0);
    const full = await fs.open(path.join(dir, 'full'), 'create');
    await full.write(text('one'), 0);
    const error: unknown = await full.write(text('two'), 3).catch((e: unknown) => e);
    expect(isErrno(error, 'ENOSPC')).toBe(true);
    expect(error).toMatchObject({ syscall: 'write', path: path.join(dir, 'full'), injected: true });
    expect((error as Error).message).toContain('no space left on device');
    expect(readText(path.join(dir, 'full'))).toBe('one');
    await full.write(text('three'), 3);
    expect(readText(path.join(dir, 'full'))).toBe('onethree');
    await Promise.all([other.close(), full.close()]);
  });

  it('fails several consecutive operations with times, and matches either side of a rename', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a'), 'a');
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'rename', path: /\/b$/, times: 2, code: 'EACCES' });
    for (let i = 0; i < 2; i++) {
      await expect(fs.rename(path.join(dir, 'a'), path.join(dir, 'b'))).rejects.toMatchObject({ code: 'EACCES' });
    }
    await fs.rename(path.join(dir, 'a'), path.join(dir, 'b'));
    expect(readdirSync(dir)).toEqual(['b']);
  });

  it.each(['datasync', 'datasyncSync'] as const)('leaves data unsynced when %s fails', async (method) => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'old');
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'datasync' });
    const handle = await fs.open(file, 'readWrite');
    await handle.write(text('new'), 0);
    const failed: unknown = await (async () => {
      if (method === 'datasync') await handle.datasync();
      else handle.datasyncSync?.();
    })().catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 'EIO', syscall: 'datasync' });
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe('old');
  });

  it('fails opens, reads and directory syncs on request', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'f'), 'data');
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'open', code: 'EMFILE' });
    fs.failOn({ op: 'read' });
    fs.failOn({ op: 'syncDirectory' });
    await expect(fs.open(path.join(dir, 'f'), 'read')).rejects.toMatchObject({ code: 'EMFILE' });
    await expect(fs.readFile(path.join(dir, 'f'))).rejects.toMatchObject({ code: 'EIO' });
    await expect(fs.syncDirectory(dir)).rejects.toMatchObject({ code: 'EIO' });
    expect(Buffer.from(await fs.readFile(path.join(dir, 'f'))).toString()).toBe('data');
  });

  it('tears a write: the first bytes land, then EIO', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    const fs = new FaultyFileSystem(dir);
    fs.tearWrite({ keepBytes: 3 });
    const handle = await fs.open(file, 'create');
    await expect(handle.write(text('abcdefgh'), 0)).rejects.toMatchObject({ code: 'EIO' });
    expect(readText(file)).toBe('abc');
    await fs.syncDirectory(dir);
    await fs.crash({ mode: 'keep-unsynced' });
    expect(readText(file)).toBe('abc');
  });

  it('tears at a seeded random byte when keepBytes is not given', async () => {
    const lengths = new Set<number>();
    for (let seed = 1; seed <= 10; seed++) {
      const dir = tempDir();
      const fs = new FaultyFileSystem(dir, { seed });
      fs.tearWrite();
      const handle = await fs.open(path.join(dir, 'f'), 'create');
      await expect(handle.write(new Uint8Array(100).fill(1), 0)).rejects.toMatchObject({ code: 'EIO' });
      const length = readFileSync(path.join(dir, 'f')).length;
      expect(length).toBeLessThan(100);
      lengths.add(length);
      await handle.close();
    }
    expect(lengths.size).toBeGreaterThan(1);
  });

  it('clearFaults removes faults that have not fired', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'mkdir' });
    fs.crashAfter(0);
    fs.clearFaults();
    await fs.mkdir(path.join(dir, 'x'));
    expect(existsSync(path.join(dir, 'x'))).toBe(true);
  });

  it('refuses paths outside its root', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(path.join(dir));
    await expect(fs.stat(path.join(dir, '..', 'elsewhere'))).rejects.toThrow(/outside the faulty file system's root/);
  });
});

describe('FaultyFileSystem crashes', () => {
  it('stops the world: every later call on the file system or an open handle rejects', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const handle = await fs.open(path.join(dir, 'f'), 'create');
    await fs.crash();
    expect(fs.crashed).toBe(true);
    await expect(handle.write(text('x'), 0)).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(handle.datasync()).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(handle.close()).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(() => handle.readSync(new Uint8Array(1), 0)).toThrow(SimulatedCrashError);
    await expect(fs.readdir(dir)).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(fs.open(path.join(dir, 'g'), 'create')).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(await nodeFileSystem.readdir(dir)).toEqual([]);
  });

  it('counts operations, and crashAfter(n) crashes on the n-th mutating operation from now', async () => {
    const dir = tempDir();
    const script = async (fs: FaultyFileSystem) => {
      const handle = await fs.open(path.join(dir, 'f'), 'create'); // 0
      await handle.write(text('hello'), 0); // 1
      await handle.read(new Uint8Array(5), 0);
      await handle.datasync(); // 2
      await handle.close();
      await fs.syncDirectory(dir); // 3
      await fs.rename(path.join(dir, 'f'), path.join(dir, 'g')); // 4
    };
    const counting = new FaultyFileSystem(dir);
    await script(counting);
    expect(counting.mutationCount).toBe(5);
    expect(counting.operationCount('read')).toBe(1);
    expect(counting.operationCount('close')).toBe(1);
    expect(counting.operationCount()).toBe(7);

    const crashDir = tempDir();
    const crashing = new FaultyFileSystem(crashDir);
    crashing.crashAfter(3, { mode: 'drop-unsynced' });
    const handle = await crashing.open(path.join(crashDir, 'f'), 'create');
    await handle.write(text('hello'), 0);
    await handle.datasync();
    await expect(crashing.syncDirectory(crashDir)).rejects.toBeInstanceOf(SimulatedCrashError);
    expect(crashing.crashed).toBe(true);
    expect(readdirSync(crashDir)).toEqual([]);
  });

  it('lets the write that crashes the system partly survive', async () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const dir = tempDir();
      const file = path.join(dir, 'f');
      writeFileSync(file, '');
      const fs = new FaultyFileSystem(dir, { seed });
      const handle = await fs.open(file, 'readWrite');
      fs.crashAfter(0);
      await expect(handle.write(text('abcdefgh'), 0)).rejects.toBeInstanceOf(SimulatedCrashError);
      const outcome = readText(file);
      expect('abcdefgh'.startsWith(outcome)).toBe(true);
      outcomes.add(outcome);
    }
    expect(outcomes.has('')).toBe(true);
    expect(outcomes.has('abcdefgh')).toBe(true);
    expect(outcomes.size).toBeGreaterThan(2);
  });

  it('waits for operations under way and fails them too', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const handle = await fs.open(path.join(dir, 'f'), 'create');
    const pending = handle.write(new Uint8Array(1 << 20).fill(7), 0);
    const crashed = fs.crash({ mode: 'drop-unsynced' });
    await expect(pending).rejects.toBeInstanceOf(SimulatedCrashError);
    await crashed;
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is replaced by a fresh FaultyFileSystem that sees the surviving state as durable', async () => {
    const dir = tempDir();
    const first = new FaultyFileSystem(dir);
    await writeAndSync(first, path.join(dir, 'kept'), 'kept');
    await first.syncDirectory(dir);
    await first.crash();
    const second = new FaultyFileSystem(dir);
    const handle = await second.open(path.join(dir, 'kept'), 'readWrite');
    await handle.write(text('KEPT'), 0);
    await second.crash({ mode: 'drop-unsynced' });
    expect(readText(path.join(dir, 'kept'))).toBe('kept');
  });

  it('reports missing files with the real errno', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const error: unknown = await fs.open(path.join(dir, 'missing'), 'read').catch((e: unknown) => e);
    expect(isErrno(error, 'ENOENT')).toBe(true);
    expect(await fs.stat(path.join(dir, 'missing'))).toBeUndefined();
  });
});

describe('FaultyFileSystem synchronous writes', () => {
  it('models writeSync like write: dropped unless synced, kept once datasync covers it', async () => {
    const { dir, file, fs, handle } = await openFresh();
    handle.writeSync(text('first;'), 0);
    await handle.datasync();
    await fs.syncDirectory(dir);
    handle.writeSync(text('second;'), 6);
    expect(readText(file)).toBe('first;second;');
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readText(file)).toBe('first;');
  });

  it('fails and tears a writeSync on request, synchronously', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'write', code: 'ENOSPC' });
    fs.tearWrite({ keepBytes: 2 });
    const handle = await fs.open(file, 'create');
    expect(() => { handle.writeSync(text('abcd'), 0); }).toThrow(expect.objectContaining({ code: 'ENOSPC', injected: true }));
    expect(readText(file)).toBe('');
    expect(() => { handle.writeSync(text('abcd'), 0); }).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'write' }));
    expect(readText(file)).toBe('ab');
    handle.writeSync(text('xyz'), 2);
    expect(readText(file)).toBe('abxyz');
    await handle.close();
  });

  it('crashes on a scheduled writeSync: throws at once, and the crashed write may partly survive', async () => {
    const { dir, file, fs, handle } = await openFresh('f');
    handle.writeSync(text('kept;'), 0);
    await handle.datasync();
    await fs.syncDirectory(dir);
    fs.crashAfter(0, { mode: 'keep-unsynced', torn: false });
    expect(() => { handle.writeSync(text('lost?'), 5); }).toThrow(SimulatedCrashError);
    expect(fs.crashed).toBe(true);
    expect(() => { handle.writeSync(text('after'), 10); }).toThrow(SimulatedCrashError);
    await fs.crash();
    expect(readText(file)).toBe('kept;lost?');
  });
});
