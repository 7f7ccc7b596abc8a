// A server for the server suite to load, in its own process so autocannon and the server do not share a
// thread. Usage: node child.js bare [<answer.json>] | node child.js kiln <dataDir>. Prints one JSON line { url }
// when listening, and closes cleanly on SIGTERM. With an answer file, the bare server also answers GET /same
// with exactly those headers and body (a KilnDB answer replayed: what its bytes alone cost).
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { startServer } from '@kilndb/server';
import { BENCH_JWT_SECRET, BENCH_PASSWORD, BENCH_USER } from './credentials.js';

const [mode, path] = process.argv.slice(2);

interface RecordedAnswer {
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (mode === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/constant', () => ({ ok: true }));
    if (path !== undefined) {
      const answer = JSON.parse(readFileSync(path, 'utf8')) as RecordedAnswer;
      app.get('/same', (_request, reply) => reply.headers(answer.headers).send(answer.body));
    }
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  }
  if (mode === 'kiln' && path !== undefined) {
    const server = await startServer({
      dataDir: path,
      host: '127.0.0.1',
      port: 0,
      durability: 'fsync',
      rootUser: BENCH_USER,
      rootPassword: BENCH_PASSWORD,
      jwtSecret: BENCH_JWT_SECRET,
      logLevel: 'silent',
      // One client address sends every request here: the per-address limit would measure the limiter.
      rateLimitMax: 1_000_000_000,
    });
    return { url: server.url, close: () => server.close() };
  }
  throw new Error(`usage: child.js bare [answer.json] | kiln <dataDir> (got ${process.argv.slice(2).join(' ')})`);
}

const running = await start();
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
process.once('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
