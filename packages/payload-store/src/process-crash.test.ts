/**
 * Real crashes: a child process (test-support/crash-writer.mjs, importing the built package from dist) writes
 * with durability 'fsync' and reports each acknowledged operation; the parent kills it with SIGKILL at a
 * random moment, reopens the directory and checks every acknowledged store and delete. Run `pnpm build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@kilndb/snapshot/testing';
import { PayloadStore } from './payload-store.js';
import { tempDir } from './test-support/temp-dir.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const writer = path.join(packageDir, 'src', 'test-support', 'crash-writer.mjs');

/** Runs the writer until `killAfterMs` after it is ready, kills it, and returns the operations it reported. */
function runAndKill(
  dir: string,
  firstId: number,
  killAfterMs: number,
): Promise<{ stored: number[]; deleting: number[]; deleted: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, String(firstId)], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (timer === undefined && stdout.startsWith('ready\n')) {
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`the writer exited on its own (signal ${signal ?? 'none'}): ${stderr}`));
        return;
      }
      const stored: number[] = [];
      const deleting: number[] = [];
      const deleted: number[] = [];
      // The last line may be cut by the kill: only whole lines count.
      for (const line of stdout.split('\n').slice(0, -1)) {
        const [kind, id] = line.split(' ');
        if (kind === 's') stored.push(Number(id));
        else if (kind === 'x') deleting.push(Number(id));
        else if (kind === 'd') deleted.push(Number(id));
      }
      resolve({ stored, deleting, deleted });
    });
  });
}

describe('kill -9 of a writing process', () => {
  it('loses no acknowledged write across 50 rounds of random kills', async () => {
    expect(existsSync(path.join(packageDir, 'dist', 'index.js')), 'run `pnpm build` first: the writer imports dist').toBe(true);
    const dir = tempDir('kill');
    const random = new SeededRandom(20_240_601);
    const stored = new Set<number>();
    const deleted = new Set<number>();
    let acknowledged = 0;
    for (let round = 0; round < 50; round++) {
      const report = await runAndKill(dir, round * 1_000_000, 10 + random.int(150));
      for (const id of report.stored) stored.add(id);
      // A delete issued but not acknowledged may have happened or not: the id is no longer checked either way.
      for (const id of report.deleting) stored.delete(id);
      for (const id of report.deleted) deleted.add(id);
      acknowledged += report.stored.length + report.deleted.length;
      const store = await PayloadStore.open(dir);
      const missing = [...stored].filter((id) => {
        const value = store.retrieve(id);
        return JSON.stringify(value) !== JSON.stringify({ id, pad: 'x'.repeat(id % 300) });
      });
      const resurrected = [...deleted].filter((id) => store.has(id));
      // Whatever a kill left, the store must still take writes.
      await store.store(2 ** 40 + round, { probe: round });
      await store.close();
      expect(missing, `round ${round}: acknowledged stores missing`).toEqual([]);
      expect(resurrected, `round ${round}: acknowledged deletes undone`).toEqual([]);
    }
    // The kills must have come while writing, not before the first write.
    expect(acknowledged).toBeGreaterThan(500);
  }, 120_000);
});
