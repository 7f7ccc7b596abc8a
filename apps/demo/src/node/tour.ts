import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KilnClient } from '@kilndb/server/client';
import { TOUR_LOGIN } from './tour-login.js';

export interface TourOptions {
  /** Writes to attempt in all (the kill cuts the stream short). */
  readonly writes: number;
  /** SIGKILL the server once this many writes were acknowledged. */
  readonly killAfter: number;
  /** Writes in flight at once, so the kill lands between a write's arrival and its acknowledgement. */
  readonly concurrency: number;
  readonly log: (line: string) => void;
  /** The compiled tour-server.js (tests point at the build). */
  readonly serverScript?: string;
}

export interface TourResult {
  readonly acknowledged: number;
  /** Acknowledged writes missing or different after the restart: must be 0. */
  readonly lost: readonly string[];
  /** Writes sent but not acknowledged before the kill that turned out to be durable anyway. */
  readonly unacknowledgedButPresent: number;
  readonly unacknowledged: number;
}

const COLLECTION = 'tour';
const STARTUP_MS = 20_000;

/**
 * Starts a server over a fresh directory in a child process, streams durable (fsync) writes into it, kills it
 * with SIGKILL mid-stream, starts it again on the same directory and reads back every acknowledged write.
 */
export async function runTour(options: TourOptions): Promise<TourResult> {
  const { log } = options;
  const dir = await mkdtemp(join(tmpdir(), 'kilndb-tour-'));
  const script = options.serverScript ?? fileURLToPath(new URL('./tour-server.js', import.meta.url));
  try {
    log(`1. Starting a KilnDB server (durability: fsync) on ${dir}`);
    const first = await startChild(script, dir);
    log(`   listening at ${first.url} (pid ${first.child.pid ?? '?'})`);
    const client = new KilnClient({ url: first.url });
    await client.login(TOUR_LOGIN.user, TOUR_LOGIN.password);

    log(`2. Writing up to ${options.writes} documents, ${options.concurrency} at a time; SIGKILL after ${options.killAfter} acknowledgements`);
    const acked = new Map<string, number>();
    const sent = new Set<string>();
    // An object, not a `let`: the writers change it across awaits.
    const stream = { next: 0, killed: false };
    const writer = async (): Promise<void> => {
      while (!stream.killed && stream.next < options.writes) {
        const i = stream.next++;
        const key = `w${String(i).padStart(5, '0')}`;
        sent.add(key);
        try {
          await client.collection(COLLECTION).put(key, { i, payload: 'x'.repeat(64 + (i % 200)) });
        } catch {
          return; // the server died under this write: it was never acknowledged
        }
        acked.set(key, i);
        if (acked.size === options.killAfter) {
          stream.killed = true;
          first.child.kill('SIGKILL');
          log(`   SIGKILL sent with ${sent.size - acked.size} writes in flight (replies already on their way may still arrive)`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, writer));
    await first.exited;
    log(`   server gone: ${acked.size} writes acknowledged, ${sent.size - acked.size} sent but never acknowledged`);

    log('3. Restarting the server on the same directory');
    const second = await startChild(script, dir);
    try {
      const reader = new KilnClient({ url: second.url });
      await reader.login(TOUR_LOGIN.user, TOUR_LOGIN.password);
      log('4. Reading back every acknowledged write');
      const lost: string[] = [];
      let unacknowledgedButPresent = 0;
      for (const key of sent) {
        const doc = await reader.collection(COLLECTION).get(key);
        const expected = acked.get(key);
        if (expected === undefined) {
          if (doc !== undefined) unacknowledgedButPresent += 1;
        } else if (doc?.i !== expected) lost.push(key);
      }
      const result = { acknowledged: acked.size, lost, unacknowledgedButPresent, unacknowledged: sent.size - acked.size };
      log(`   acknowledged and present: ${acked.size - lost.length} of ${acked.size}`);
      log(`   acknowledged but missing:  ${lost.length}${lost.length > 0 ? ` (${lost.slice(0, 10).join(', ')})` : ''}`);
      log(`   in flight at the kill:     ${result.unacknowledged} (${unacknowledgedButPresent} of them made it to disk anyway; either is allowed)`);
      return result;
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Child {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly url: string;
  readonly exited: Promise<void>;
}

/** Spawns the tour server and waits for the line announcing its address (or its early death). */
async function startChild(script: string, dir: string): Promise<Child> {
  const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`the tour server did not start within ${STARTUP_MS} ms`)); }, STARTUP_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`the tour server said: ${line}`));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the tour server exited before listening: ${stderr.trim()}`));
    });
  });
  return { child, url, exited };
}
