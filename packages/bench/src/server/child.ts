// A server for the server suite to load, in its own process so autocannon and the server do not share a
// thread. Usage: node child.js bare | node child.js kiln <dataDir>. Prints one JSON line { url } when listening,
// and closes cleanly on SIGTERM.
import Fastify from 'fastify';
import { startServer } from '@kilndb/server';
import { BENCH_JWT_SECRET, BENCH_PASSWORD, BENCH_USER } from './credentials.js';

const [mode, dataDir] = process.argv.slice(2);

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (mode === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/constant', () => ({ ok: true }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  }
  if (mode === 'kiln' && dataDir !== undefined) {
    const server = await startServer({
      dataDir,
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
  throw new Error(`usage: child.js bare | kiln <dataDir> (got ${process.argv.slice(2).join(' ')})`);
}

const running = await start();
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
process.once('SIGTERM', () => {
  void running.close().then(() => process.exit(0));
});
