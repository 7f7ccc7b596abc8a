/**
 * SIGTERM of `kilndb serve` during a stream of writes: the process closes (requests in flight finish, the
 * database is closed) and exits 0, and every write that was answered 200 is in the database afterwards.
 */
import { Database } from '@kilndb/doc-engine';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JWT_SECRET, login, postJson, startServe, tempDir, waitFor } from '../cli/test-support/run-cli.js';
import { writeStream } from './test-support/write-stream.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('kilndb serve and SIGTERM', { timeout: 120_000 }, () => {
  it('keeps every acknowledged write and exits 0', async () => {
    const dir = join(temp.dir, 'db');
    const args = ['--host', '127.0.0.1', '--port', '0', '--data', dir, '--jwt-secret', JWT_SECRET, '--root-user', 'root', '--root-password', 'pw'];
    const server = await startServe([...args, '--log-level', 'silent', '--rate-limit', '1000000']);
    try {
      const token = await login(server.url, 'root', 'pw');
      const stream = writeStream(server.url, token, 'term', 8, 5000);
      // Signal once the stream is well under way, so requests are in flight when the close begins.
      await waitFor(() => stream.acknowledged.size >= 200 || stream.failures.length > 0, 30_000);
      expect(stream.failures).toEqual([]);
      server.child.kill('SIGTERM');
      const run = await server.exited;
      await stream.done;
      expect(run.code, run.stderr).toBe(0);
      expect(run.signal).toBeNull();
      expect(run.stderr).toMatch(/kilndb serve: closed/);

      const db = await Database.open(dir, { readOnly: true });
      try {
        const stored = db.collection('stream');
        const missing = [...stream.acknowledged].filter(([key, doc]) => stored.get(key)?.i !== doc.i);
        expect(missing).toEqual([]);
        expect(stream.acknowledged.size).toBeGreaterThanOrEqual(200);
      } finally {
        await db.close();
      }

      // And a restarted server answers for them.
      const again = await startServe([...args, '--log-level', 'silent']);
      try {
        const token = await login(again.url, 'root', 'pw');
        const [key, doc] = [...stream.acknowledged].at(-1) ?? ['', undefined];
        const reply = await postJson(`${again.url}/get`, { collection: 'stream', keys: key }, token);
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ ...doc });
        again.child.kill('SIGTERM');
        expect((await again.exited).code).toBe(0);
      } finally {
        again.child.kill('SIGKILL');
      }
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
