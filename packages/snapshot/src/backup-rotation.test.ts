import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups, rotateBackups } from './backup-rotation.js';
import { nodeFileSystem } from './file-system.js';
import { tempDir } from './test-support/temp-dir.js';
import { SimulatedCrashError } from './testing/errors.js';
import { FaultyFileSystem } from './testing/faulty-file-system.js';

const contents = (paths: readonly string[]) => paths.map((p) => readFileSync(p, 'utf8'));

describe('rotateBackups', () => {
  it('moves the file into a new backup directory under a timestamped name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'store.snapshot');
    writeFileSync(file, 'v1');
    const backupDir = path.join(dir, 'backups', 'nested');
    const result = await rotateBackups(nodeFileSystem, { file, backupDir, keep: 3, now: () => Date.UTC(2026, 10, 21, 15, 55, 46, 123) });
    expect(result).toEqual({ backupPath: path.join(backupDir, 'store.snapshot.20261121T155546123Z-000000.bak'), pruned: [] });
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(result!.backupPath, 'utf8')).toBe('v1');
  });

  it('does nothing when the file does not exist', async () => {
    const dir = tempDir();
    expect(await rotateBackups(nodeFileSystem, { file: path.join(dir, 'none'), backupDir: path.join(dir, 'b'), keep: 1 })).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never overwrites a backup when many rotations run in one tight loop', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    const backupDir = path.join(dir, 'backups');
    for (let i = 0; i < 60; i++) {
      writeFileSync(file, `version ${i}`);
      await rotateBackups(nodeFileSystem, { file, backupDir, keep: 100 });
    }
    const backups = await listBackups(nodeFileSystem, { file, backupDir });
    expect(backups).toHaveLength(60);
    expect(contents(backups)).toEqual(Array.from({ length: 60 }, (_, i) => `version ${59 - i}`));
  });

  it('orders by name when the clock stands still or steps back', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    const backupDir = path.join(dir, 'backups');
    const clock = [5000, 5000, 1000, 5000, 9000];
    for (const [i, now] of clock.entries()) {
      writeFileSync(file, `v${i}`);
      await rotateBackups(nodeFileSystem, { file, backupDir, keep: 10, now: () => now });
    }
    const backups = await listBackups(nodeFileSystem, { file, backupDir });
    expect(contents(backups)).toEqual(['v4', 'v3', 'v2', 'v1', 'v0']);
    expect(backups.map((p) => path.basename(p))).toEqual([
      'f.19700101T000009000Z-000000.bak',
      'f.19700101T000005000Z-000003.bak',
      'f.19700101T000005000Z-000002.bak',
      'f.19700101T000005000Z-000001.bak',
      'f.19700101T000005000Z-000000.bak',
    ]);
  });

  it('keeps only the newest `keep` backups and reports the pruned ones oldest first', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    const backupDir = path.join(dir, 'backups');
    let pruned: readonly string[] = [];
    for (let i = 0; i < 7; i++) {
      writeFileSync(file, `v${i}`);
      pruned = (await rotateBackups(nodeFileSystem, { file, backupDir, keep: 3, now: () => 42 }))!.pruned;
    }
    expect(pruned).toHaveLength(1);
    const backups = await listBackups(nodeFileSystem, { file, backupDir });
    expect(contents(backups)).toEqual(['v6', 'v5', 'v4']);
    expect(pruned[0]! < backups[2]!).toBe(true);
  });

  it('leaves other files and other files’ backups in the backup directory alone', async () => {
    const dir = tempDir();
    const backupDir = path.join(dir, 'backups');
    mkdirSync(backupDir);
    writeFileSync(path.join(backupDir, 'other.19700101T000000000Z-000000.bak'), 'other');
    writeFileSync(path.join(backupDir, 'notes.txt'), 'notes');
    writeFileSync(path.join(backupDir, 'f.19700101T000000000Z-000000.bak.1234-abcdef01.kiln-tmp'), 'temp');
    const file = path.join(dir, 'f');
    for (let i = 0; i < 3; i++) {
      writeFileSync(file, `v${i}`);
      await rotateBackups(nodeFileSystem, { file, backupDir, keep: 1 });
    }
    const backups = await listBackups(nodeFileSystem, { file, backupDir });
    expect(contents(backups)).toEqual(['v2']);
    expect(readdirSync(backupDir).sort()).toEqual(
      [
        path.basename(backups[0]!),
        'f.19700101T000000000Z-000000.bak.1234-abcdef01.kiln-tmp',
        'notes.txt',
        'other.19700101T000000000Z-000000.bak',
      ].sort(),
    );
  });

  it('rejects a keep below 1 and a backup path that is a file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'x');
    await expect(rotateBackups(nodeFileSystem, { file, backupDir: dir, keep: 0 })).rejects.toThrow(/keep must be an integer of at least 1, got 0/);
    await expect(rotateBackups(nodeFileSystem, { file, backupDir: file, keep: 1 })).rejects.toThrow(/exists and is not a directory/);
  });

  it('lists nothing for a missing backup directory', async () => {
    const dir = tempDir();
    expect(await listBackups(nodeFileSystem, { file: path.join(dir, 'f'), backupDir: path.join(dir, 'missing') })).toEqual([]);
  });
});

describe('rotateBackups under crashes', () => {
  it('never loses the file: after a crash at any point it is in place or backed up, and durable once rotation returned', async () => {
    const setup = (dir: string) => {
      writeFileSync(path.join(dir, 'f'), 'current');
      mkdirSync(path.join(dir, 'backups'));
      writeFileSync(path.join(dir, 'backups', 'f.19700101T000000000Z-000000.bak'), 'oldest');
    };
    const rotate = (fs: FaultyFileSystem) =>
      rotateBackups(fs, { file: path.join(fs.root, 'f'), backupDir: path.join(fs.root, 'backups', 'deeper'), keep: 1, now: () => 1000 });

    const cleanDir = tempDir();
    setup(cleanDir);
    const clean = new FaultyFileSystem(cleanDir);
    await rotate(clean);
    const total = clean.mutationCount;

    for (let n = 0; n <= total; n++) {
      for (const mode of ['random', 'drop-unsynced'] as const) {
        const dir = tempDir();
        setup(dir);
        const fs = new FaultyFileSystem(dir, { seed: n });
        fs.crashAfter(n, { mode });
        const outcome = await rotate(fs).then(
          () => 'completed',
          (error: unknown) => error,
        );
        if (n < total) expect(outcome).toBeInstanceOf(SimulatedCrashError);
        else await fs.crash({ mode });
        const inPlace = existsSync(path.join(dir, 'f'));
        const backedUp = await listBackups(nodeFileSystem, { file: path.join(dir, 'f'), backupDir: path.join(dir, 'backups', 'deeper') });
        expect(inPlace || backedUp.length === 1).toBe(true);
        if (inPlace) expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe('current');
        expect(contents(backedUp)).toEqual(backedUp.length === 0 ? [] : ['current']);
        if (n === total) expect(inPlace).toBe(false);
      }
    }
  });
});
