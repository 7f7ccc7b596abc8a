import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATOMIC_TEMP_SUFFIX, cleanStaleTemps, isAtomicTempName, writeFileAtomic } from './atomic-write.js';
import { nodeFileSystem } from './file-system.js';
import { recordingWrites } from './test-support/recording-fs.js';
import { tempDir } from './test-support/temp-dir.js';
import { SimulatedCrashError } from './testing/errors.js';
import { FaultyFileSystem } from './testing/faulty-file-system.js';
import type { CrashOptions } from './testing/simulated-disk.js';

const text = (s: string) => new TextEncoder().encode(s);
const OLD = 'the complete old content';
const NEW = 'the complete new content, which is longer than the old one';

/** Writes NEW in three chunks, so a crash can fall between the chunk writes. */
async function* newContentChunks(): AsyncGenerator<Uint8Array> {
  yield await Promise.resolve(text(NEW.slice(0, 10)));
  yield text(NEW.slice(10, 30));
  yield text(NEW.slice(30));
}

describe('writeFileAtomic', () => {
  it('creates or replaces the file and leaves no temp file behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'data.bin');
    await writeFileAtomic(nodeFileSystem, file, text(OLD));
    expect(readFileSync(file, 'utf8')).toBe(OLD);
    await writeFileAtomic(nodeFileSystem, file, [text('the complete '), text('new content')]);
    expect(readFileSync(file, 'utf8')).toBe('the complete new content');
    expect(readdirSync(dir)).toEqual(['data.bin']);
  });

  it('writes a stream chunk by chunk instead of joining it in memory', async () => {
    const dir = tempDir();
    const { fs: recording, writes } = recordingWrites();
    await writeFileAtomic(recording, path.join(dir, 'f'), newContentChunks());
    expect(writes).toEqual([10, 20, NEW.length - 30]);
    expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe(NEW);
  });

  it('names its temp files recognisably, next to the final file', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const created: string[] = [];
    const recordRename = (renamed: string) => {
      created.push(renamed);
      return false;
    };
    fs.failOn({ op: 'rename', path: recordRename });
    await writeFileAtomic(fs, path.join(dir, 'index.vsnp'), text('x'));
    const temp = path.basename(created[0]!);
    expect(temp).toMatch(new RegExp(`^index\\.vsnp\\.${process.pid}-[0-9a-f]{8}\\.kiln-tmp$`));
    expect(isAtomicTempName(temp)).toBe(true);
    expect(temp.endsWith(ATOMIC_TEMP_SUFFIX)).toBe(true);
  });

  it('rejects a chunk that is not a Uint8Array and removes the temp file', async () => {
    const dir = tempDir();
    const chunks = [text('ok'), 'not bytes'] as unknown as Uint8Array[];
    await expect(writeFileAtomic(nodeFileSystem, path.join(dir, 'f'), chunks)).rejects.toThrow(
      /writeFileAtomic\('.*f'\): chunk at byte 2 is not a Uint8Array/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves the old file intact and removes the temp file when the input stream throws', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, OLD);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield await Promise.resolve(text('partial'));
      throw new Error('source failed');
    }
    await expect(writeFileAtomic(nodeFileSystem, file, failing())).rejects.toThrow('source failed');
    expect(readdirSync(dir)).toEqual(['f']);
    expect(readFileSync(file, 'utf8')).toBe(OLD);
  });

  for (const [op, code] of [
    ['open', 'EMFILE'],
    ['write', 'ENOSPC'],
    ['sync', 'EIO'],
    ['close', 'EIO'],
    ['rename', 'EIO'],
  ] as const) {
    it(`leaves the old file intact and removes the temp file when ${op} fails with ${code}`, async () => {
      const dir = tempDir();
      const file = path.join(dir, 'f');
      writeFileSync(file, OLD);
      const fs = new FaultyFileSystem(dir);
      fs.failOn({ op, code, nth: op === 'write' ? 1 : 0 });
      await expect(writeFileAtomic(fs, file, newContentChunks())).rejects.toMatchObject({ code });
      expect(readdirSync(dir)).toEqual(['f']);
      expect(readFileSync(file, 'utf8')).toBe(OLD);
      await fs.crash({ mode: 'keep-unsynced' });
      expect(readdirSync(dir)).toEqual(['f']);
      expect(readFileSync(file, 'utf8')).toBe(OLD);
    });
  }

  it('reports a failed directory fsync after the new content is in place', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, OLD);
    const fs = new FaultyFileSystem(dir);
    fs.failOn({ op: 'syncDirectory' });
    await expect(writeFileAtomic(fs, file, text(NEW))).rejects.toMatchObject({ code: 'EIO' });
    expect(readdirSync(dir)).toEqual(['f']);
    expect(readFileSync(file, 'utf8')).toBe(NEW);
    await fs.crash({ mode: 'drop-unsynced' });
    expect(readFileSync(file, 'utf8')).toBe(OLD);
  });
});

describe('writeFileAtomic under crashes', () => {
  const crashModes: CrashOptions[] = [{ mode: 'random' }, { mode: 'drop-unsynced' }, { mode: 'keep-unsynced' }];

  async function cleanRunMutations(withOldFile: boolean): Promise<number> {
    const dir = tempDir();
    if (withOldFile) writeFileSync(path.join(dir, 'f'), OLD);
    const fs = new FaultyFileSystem(dir);
    await writeFileAtomic(fs, path.join(dir, 'f'), newContentChunks());
    return fs.mutationCount;
  }

  for (const withOldFile of [true, false]) {
    it(`leaves the complete old or complete new content at every crash point (${withOldFile ? 'replacing' : 'creating'})`, async () => {
      const total = await cleanRunMutations(withOldFile);
      expect(total).toBeGreaterThanOrEqual(7);
      const seen = new Set<string | undefined>();
      // n === total crashes right after a successful write: the new content must then be durable.
      for (let n = 0; n <= total; n++) {
        for (const [modeIndex, crash] of crashModes.entries()) {
          for (let seed = 1; seed <= 3; seed++) {
            const dir = tempDir();
            const file = path.join(dir, 'f');
            if (withOldFile) writeFileSync(file, OLD);
            const fs = new FaultyFileSystem(dir, { seed: seed * 1000 + n * 10 + modeIndex });
            fs.crashAfter(n, crash);
            const outcome = await writeFileAtomic(fs, file, newContentChunks()).then(
              () => 'completed',
              (error: unknown) => error,
            );
            if (n < total) expect(outcome).toBeInstanceOf(SimulatedCrashError);
            else {
              expect(outcome).toBe('completed');
              await fs.crash(crash);
            }
            expect(await cleanStaleTemps(nodeFileSystem, dir)).toSatisfy((removed: string[]) =>
              removed.every(isAtomicTempName),
            );
            const names = readdirSync(dir);
            const content = names.includes('f') ? readFileSync(file, 'utf8') : undefined;
            expect(names.filter((name) => name !== 'f')).toEqual([]);
            expect([withOldFile ? OLD : undefined, NEW]).toContain(content);
            if (n === total) expect(content).toBe(NEW);
            seen.add(content);
          }
        }
      }
      expect(seen.size).toBe(2);
    });
  }
});

describe('cleanStaleTemps', () => {
  it('removes temp files of crashed writers and nothing else', async () => {
    const dir = tempDir();
    for (const name of ['data', 'data.4242-0badf00d.kiln-tmp', 'x.1-12345678.kiln-tmp', 'data.kiln-tmp', 'data.12-xyz.kiln-tmp']) {
      writeFileSync(path.join(dir, name), name);
    }
    const removed = await cleanStaleTemps(nodeFileSystem, dir);
    expect(removed.sort()).toEqual(['data.4242-0badf00d.kiln-tmp', 'x.1-12345678.kiln-tmp']);
    expect(readdirSync(dir).sort()).toEqual(['data', 'data.12-xyz.kiln-tmp', 'data.kiln-tmp']);
  });

  it('spares the temp file of a write under way in this process', async () => {
    const dir = tempDir();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield text('first');
      await gate;
      yield text(' second');
    }
    const writing = writeFileAtomic(nodeFileSystem, path.join(dir, 'f'), slow());
    while (readdirSync(dir).length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(await cleanStaleTemps(nodeFileSystem, dir)).toEqual([]);
    release();
    await writing;
    expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe('first second');
  });

  it('returns nothing for a missing directory', async () => {
    expect(await cleanStaleTemps(nodeFileSystem, path.join(tempDir(), 'missing'))).toEqual([]);
  });
});
