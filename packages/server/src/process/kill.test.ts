/**
 * `kill -9` of `kilndb serve --durability fsync` while concurrent clients write: over several rounds on one
 * directory, every write answered 200 before (or as) the process died is there when the directory is opened
 * again, from every round so far.
 */
import { Database } from '@kilndb/doc-engine';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JWT_SECRET, login, startServe, tempDir, waitFor } from '../cli/test-support/run-cli.js';
import { writeStream, type Acknowledged } from './test-support/write-stream.js';

const ROUNDS = 4;

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('kill -9 of kilndb serve', { timeout: 240_000 }, () => {
  it(`loses no acknowledged durable write across ${ROUNDS} kills`, async () => {
    const dir = join(temp.dir, 'db');
    const args = ['--host', '127.0.0.1', '--port', '0', '--data', dir, '--durability', 'fsync', '--jwt-secret', JWT_SECRET, '--root-user', 'root', '--root-password', 'pw'];
    const all: Acknowledged = new Map();
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServe([...args, '--log-level', 'silent', '--rate-limit', '1000000']);
      let stream: ReturnType<typeof writeStream> | undefined;
      try {
        const token = await login(server.url, 'root', 'pw');
        stream = writeStream(server.url, token, `r${round}`, 16, 5000);
        const current = stream;
        // Kill at a different point of each round: after 20 to 320 acknowledged writes.
        const target = 20 + ((round * 97) % 300);
        await waitFor(() => current.acknowledged.size >= target || current.failures.length > 0, 30_000);
        expect(current.failures).toEqual([]);
        server.child.kill('SIGKILL');
        const run = await server.exited;
        expect(run.signal).toBe('SIGKILL');
        await current.done;
        for (const [key, doc] of current.acknowledged) all.set(key, doc);
      } finally {
        stream?.stop();
        server.child.kill('SIGKILL');
      }

      // Opened for writing, as the next server would: the torn tail (if any) is cut, nothing acknowledged is.
      const db = await Database.open(dir, { onWarning: () => undefined });
      try {
        const stored = db.collection('stream');
        const lost = [...all].filter(([key, doc]) => {
          const found = stored.get(key);
          return found?.i !== doc.i || found.tag !== doc.tag;
        });
        expect(lost.map(([key]) => key), `round ${round}`).toEqual([]);
      } finally {
        await db.close();
      }
    }
    expect(all.size).toBeGreaterThanOrEqual(ROUNDS * 20);
  });
});
