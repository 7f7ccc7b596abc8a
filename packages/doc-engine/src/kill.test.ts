/**
 * Real crashes: a child process writes with durability 'fsync' (through the built package) and is killed
 * with SIGKILL at a random moment, over and over on one directory, with automatic compactions in the mix.
 * After each kill the parent reopens the directory and checks every write the child saw acknowledged.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@kilndb/snapshot/testing';
import { Database } from './database.js';
import { tempDir } from './test-support/temp-dir.js';

const WRITER = fileURLToPath(new URL('./test-support/kill-writer.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const ROUNDS = 30;

type Fate = 'present' | 'absent';

/** What must be on disk: per key, the acknowledged fate, plus fates begun but not acknowledged. */
class Expectations {
  readonly settled = new Map<string, Fate>();
  readonly open = new Map<string, Set<Fate>>();
  readonly transactions = new Map<string, boolean>();

  apply(line: string): void {
    const [phase, kind, name] = line.split(' ');
    if (name === undefined) return;
    if (kind === 'tx') {
      if (phase === 'begin') this.transactions.set(name, false);
      else this.transactions.set(name, true);
      for (const suffix of ['a', 'b', 'c']) this.note(phase, `${name}-${suffix}`, 'present');
      return;
    }
    this.note(phase, name, kind === 'del' ? 'absent' : 'present');
  }

  private note(phase: string | undefined, key: string, fate: Fate): void {
    if (phase === 'begin') {
      const fates = this.open.get(key) ?? new Set<Fate>();
      fates.add(fate);
      this.open.set(key, fates);
    } else {
      this.settled.set(key, fate);
      this.open.get(key)?.delete(fate);
    }
  }
}

async function killRound(dir: string, round: number, expectations: Expectations): Promise<void> {
  const random = new SeededRandom(round);
  const child = spawn(process.execPath, [WRITER, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  let stderr = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') markReady();
      expectations.apply(line);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => {
      resolve(signal);
    }));
  // Most rounds die while writing; every fourth may die during startup or while opening (replay, tail repair).
  if (round % 4 !== 0) await Promise.race([ready, exited]);
  await new Promise((resolve) => setTimeout(resolve, random.int(round % 4 === 0 ? 400 : 250)));
  child.kill('SIGKILL');
  const signal = await exited;
  expect(stderr, `round ${round}: the writer failed`).toBe('');
  expect(signal).toBe('SIGKILL');
}

describe('kill -9', () => {
  it(`keeps every acknowledged write and whole transactions across ${ROUNDS} SIGKILLs`, async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run pnpm build first`);
    const dir = tempDir('kill');
    const expectations = new Expectations();
    for (let round = 1; round <= ROUNDS; round++) {
      await killRound(dir, round, expectations);
      const db = await Database.open(dir, { onWarning: () => undefined });
      const c = db.collection('c');
      for (const [key, fate] of expectations.settled) {
        const allowed = [fate, ...(expectations.open.get(key) ?? [])];
        expect(allowed, `round ${round}, key ${key}`).toContain(c.get(key) === undefined ? 'absent' : 'present');
      }
      for (const [tx, acknowledged] of expectations.transactions) {
        const present = ['a', 'b', 'c'].filter((suffix) => c.get(`${tx}-${suffix}`) !== undefined).length;
        expect([0, 3], `round ${round}: transaction ${tx} partly visible`).toContain(present);
        if (acknowledged) expect(present, `round ${round}: acknowledged transaction ${tx} lost`).toBe(3);
      }
      await db.close();
    }
    const acknowledged = [...expectations.settled.values()].filter((fate) => fate === 'present').length;
    expect(acknowledged).toBeGreaterThan(ROUNDS * 5);
  }, 120_000);
});
