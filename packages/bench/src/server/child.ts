// A server for the server suite to load, in its own process so autocannon and the server do not share a
// thread. Usage: node child.js bare [<answers.json>] | node child.js kiln <dataDir> | node child.js engine
// <dataDir> <seconds> <writers> | node child.js pipeline <dataDir> <answers.json>. A server prints one JSON line { url } when listening, and closes cleanly on
// SIGTERM. With an answers file (KilnDB answers recorded by the suite), the bare server also replays them:
// what their bytes and routing alone cost, with and without a no-op hook of each kind, and with a body to parse.
// The pipeline mode is KilnDB's own app (token check, rate limit, security headers, latency metric) with one
// more route that replays the GET answer without touching the database: what the pipeline costs by itself.
// The engine mode prints one JSON line of durable insert figures, without HTTP, and exits.
import { readFileSync } from 'node:fs';
import { Database } from '@kilndb/doc-engine';
import Fastify, { type FastifyPluginCallback } from 'fastify';
import { buildApp, resolveConfig, startServer, type ServerConfigInput } from '@kilndb/server';
import { BENCH_JWT_SECRET, BENCH_PASSWORD, BENCH_USER } from './credentials.js';
import { smallDoc } from './docs.js';

const [mode, path, ...rest] = process.argv.slice(2);

interface RecordedAnswer {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The KilnDB answers the bare server replays: a GET by key and a durable POST /set. */
export interface RecordedAnswers {
  readonly get: RecordedAnswer;
  readonly set: RecordedAnswer;
}

/** The same GET answer from an encapsulated plugin with one synchronous no-op hook per phase KilnDB uses. */
const hooked: FastifyPluginCallback<{ answer: RecordedAnswer }> = (app, { answer }, done) => {
  app.addHook('onRequest', (_request, _reply, next) => {
    next();
  });
  app.addHook('onSend', (_request, _reply, payload, next) => {
    next(null, payload);
  });
  app.addHook('onResponse', (_request, _reply, next) => {
    next();
  });
  app.get('/hooked/collections/:c/docs/:key', (_request, reply) => reply.headers(answer.headers).send(answer.body));
  done();
};

/** The KilnDB server the suite loads. */
function kilnConfig(dataDir: string): ServerConfigInput {
  return {
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
  };
}

async function start(): Promise<{ url: string; close: () => Promise<void> }> {
  if (mode === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/constant', () => ({ ok: true }));
    if (path !== undefined) {
      const answers = JSON.parse(readFileSync(path, 'utf8')) as RecordedAnswers;
      // KilnDB's route pattern, so the floor pays the same routing (a parametric lookup).
      app.get('/collections/:c/docs/:key', (_request, reply) => reply.headers(answers.get.headers).send(answers.get.body));
      await app.register(hooked, { answer: answers.get });
      // Fastify's own JSON parser reads the body; the answer is /set's, replayed.
      app.post('/parsed', (request, reply) => {
        if (typeof request.body !== 'object') throw new Error('no body parsed');
        return reply.headers(answers.set.headers).send(answers.set.body);
      });
    }
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, close: () => app.close() };
  }
  if (mode === 'kiln' && path !== undefined) {
    const server = await startServer(kilnConfig(path));
    return { url: server.url, close: () => server.close() };
  }
  const answersFile = rest[0];
  if (mode === 'pipeline' && path !== undefined && answersFile !== undefined) {
    const answer = (JSON.parse(readFileSync(answersFile, 'utf8')) as RecordedAnswers).get;
    // The route's own headers only: the security headers come from KilnDB's hook, as on the real GET.
    const own = { 'content-type': answer.headers['content-type'] ?? 'application/json; charset=utf-8', etag: answer.headers.etag ?? '"1"' };
    const config = resolveConfig(kilnConfig(path));
    const db = await Database.open(config.dataDir, { durability: config.durability });
    const app = await buildApp(db, config);
    // Under the same route config as KilnDB's GET (its rate limit), answering 401 without a token as it does.
    app.get('/pipeline/collections/:c/docs/:key', { config: { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } } }, (request, reply) => {
      // The auth plugin's request field (its type augmentation is internal to @kilndb/server).
      if ((request as { principal?: unknown }).principal === undefined) return reply.code(401).send({ error: 'Missing or invalid token', statusCode: 401 });
      return reply.headers(own).send(answer.body);
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return {
      url,
      close: async () => {
        await app.close();
        await db.close();
      },
    };
  }
  throw new Error(`usage: child.js bare [answers.json] | kiln <dataDir> | pipeline <dataDir> <answers.json> | engine <dataDir> <seconds> <writers> (got ${process.argv.slice(2).join(' ')})`);
}

/** Durable single-document inserts from `writers` concurrent loops for `seconds`: the engine's own rate, no HTTP. */
async function engineRate(dataDir: string, seconds: number, writers: number): Promise<void> {
  const db = await Database.open(dataDir, { durability: 'fsync' });
  const collection = db.collection('writes');
  const latencies: number[] = [];
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        const i = next++;
        const started = performance.now();
        await collection.insert({ [`w${String(i)}`]: smallDoc(i) });
        latencies.push(performance.now() - started);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  await db.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  process.stdout.write(`${JSON.stringify({ rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), cpuUs: (cpu.user + cpu.system) / latencies.length })}\n`);
}

if (mode === 'engine' && path !== undefined) {
  await engineRate(path, Number(rest[0] ?? 10), Number(rest[1] ?? 100));
} else {
  const running = await start();
  process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
  process.once('SIGTERM', () => {
    void running.close().then(() => process.exit(0));
  });
}
