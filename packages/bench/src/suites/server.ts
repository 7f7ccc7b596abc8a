import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { RecordedAnswers } from '../server/child.js';
import { BENCH_PASSWORD, BENCH_USER } from '../server/credentials.js';
import { smallDoc } from '../server/docs.js';
import { markdownTable, tempDir, type Cell, type Suite } from '../harness.js';

const CONNECTIONS = 100;
const DOCS = 10_000;
const COLLECTION = 'bench';
const CHILD = fileURLToPath(new URL('../server/child.js', import.meta.url));

interface Running {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts child.js in its own process and waits for the URL it prints. */
async function startChild(args: readonly string[]): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => { reject(new Error(`bench server exited with ${String(code)} before listening`)); });
    lines.once('line', (line) => { resolve((JSON.parse(line) as { url: string }).url); });
  });
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => { resolve(); });
        child.kill('SIGTERM');
      }),
  };
}

/** One KilnDB answer's headers and body, for the bare server to replay. */
async function recordAnswer(url: string, init: RequestInit): Promise<{ headers: Record<string, string>; body: string }> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${String(response.status)} ${await response.text()}`);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
  });
  return { headers, body: await response.text() };
}

/** Runs the engine's own durable insert loop in a child process (no HTTP) and reads its one line of figures. */
async function engineRow(name: string, dataDir: string, seconds: number): Promise<Load> {
  const child = spawn(process.execPath, [CHILD, 'engine', dataDir, String(seconds), String(CONNECTIONS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const figures = await new Promise<{ rps: number; p50: number; p99: number; cpuUs: number }>((resolve, reject) => {
    child.once('exit', (code) => { reject(new Error(`engine child exited with ${String(code)} before reporting`)); });
    lines.once('line', (line) => { resolve(JSON.parse(line) as { rps: number; p50: number; p99: number; cpuUs: number }); });
  });
  return { name, ...figures, errors: 0 };
}

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

let written = 0;

/** Requests each connection cycles through. Built once: a setupRequest per request costs autocannon more than a GET costs the server, which then waits for the client. */
const CYCLE = 1000;

/** GETs of random documents of the suite's, under `prefix`. */
function getRequests(prefix: string): autocannon.Request[] {
  return Array.from({ length: CYCLE }, () => ({ method: 'GET', path: `${prefix}/collections/${COLLECTION}/docs/k${String(Math.floor(Math.random() * DOCS))}` }));
}

/** A durable /set of one new small document per request (the same body shape for the parse floor): a new key each time, so built per request. */
function setRequest(path: string): autocannon.Request {
  return {
    method: 'POST',
    path,
    setupRequest: (req) => {
      written += 1;
      return { ...req, body: JSON.stringify({ collection: 'writes', data: { [`w${String(written)}`]: smallDoc(written) } }) };
    },
  };
}

interface Load {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** CPU the server process spent per request (user + system), µs; undefined where /proc cannot tell. */
  readonly cpuUs: number | undefined;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux); counted after the
    // ") " that ends the command name, which may itself hold spaces.
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Seconds each row is loaded, unmeasured, before its measured run: the first row would otherwise meet a cold JIT in both processes and set a low ceiling. */
const WARM_UP_SECONDS = 2;

async function load(name: string, server: Running, options: Omit<autocannon.Options, 'url'> & { url?: string }): Promise<Load> {
  await autocannon({ connections: CONNECTIONS, url: server.url, ...options, duration: WARM_UP_SECONDS });
  const before = cpuSeconds(server.pid);
  const result = await autocannon({ connections: CONNECTIONS, url: server.url, ...options });
  const after = cpuSeconds(server.pid);
  const errors = result.errors + result.timeouts + result.non2xx;
  const requests = result.requests.total;
  const cpuUs = before === undefined || after === undefined || requests === 0 ? undefined : ((after - before) / requests) * 1e6;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors, cpuUs };
}

export const serverSuite: Suite = {
  name: 'server',
  description: `@kilndb/server under autocannon on 127.0.0.1, ${CONNECTIONS} connections, server in its own process`,
  async run({ quick }) {
    const duration = quick ? 3 : 10;
    const rows = new Map<string, Load>();

    const { dir, remove } = tempDir('server');
    const answerFile = path.join(dir, 'answers.json');
    const kiln = await startChild(['kiln', path.join(dir, 'kiln')]);
    let bare: Running | undefined;
    let pipeline: Running | undefined;
    try {
      const { token } = (await post(`${kiln.url}/login`, { username: BENCH_USER, password: BENCH_PASSWORD })) as { token: string };
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      for (let at = 0; at < DOCS; at += 1000) {
        const data: Record<string, unknown> = {};
        for (let i = at; i < at + 1000; i++) data[`k${String(i)}`] = smallDoc(i);
        await post(`${kiln.url}/set`, { collection: COLLECTION, data }, token);
      }
      const answers: RecordedAnswers = {
        get: await recordAnswer(`${kiln.url}/collections/${COLLECTION}/docs/k1`, { headers: auth }),
        set: await recordAnswer(`${kiln.url}/set`, { method: 'POST', headers: auth, body: JSON.stringify({ collection: 'answers', data: { a: smallDoc(0) } }) }),
      };
      writeFileSync(answerFile, JSON.stringify(answers));
      // Both servers stay up (the idle one costs nothing) so the rows run back to back in the order printed:
      // on a shared machine the speed drifts, and a floor measured beside its row drifts with it.
      bare = await startChild(['bare', answerFile]);
      pipeline = await startChild(['pipeline', path.join(dir, 'pipeline'), answerFile]);
      rows.set('bare', await load('bare Fastify route (constant JSON)', bare, { url: `${bare.url}/constant`, duration }));
      rows.set(
        'floor-get',
        await load("floor: a bare route replaying a GET answer's bytes to the same requests (no work)", bare, { duration, headers: auth, requests: getRequests('') }),
      );
      rows.set(
        'floor-hooks',
        await load('floor: the same, plus one no-op onRequest, onSend and onResponse hook', bare, { duration, headers: auth, requests: getRequests('/hooked') }),
      );
      rows.set(
        'floor-pipeline',
        await load("floor: KilnDB's own app (token check, rate limit, security headers, latency metric) around a route replaying the GET answer (no database)", pipeline, {
          duration,
          headers: auth,
          requests: getRequests('/pipeline'),
        }),
      );
      rows.set(
        'get',
        await load('`GET /collections/:c/docs/:key`', kiln, {
          duration,
          headers: auth,
          requests: getRequests(''),
        }),
      );
      rows.set(
        'post-get',
        await load('`POST /get` by key', kiln, {
          duration,
          headers: auth,
          requests: Array.from({ length: CYCLE }, () => ({
            method: 'POST' as const,
            path: '/get',
            body: JSON.stringify({ collection: COLLECTION, keys: `k${String(Math.floor(Math.random() * DOCS))}` }),
          })),
        }),
      );
      rows.set(
        'floor-parse',
        await load("floor: a bare POST route parsing the same /set requests, replaying /set's answer", bare, {
          duration,
          headers: auth,
          requests: [setRequest('/parsed')],
        }),
      );
      rows.set('set', await load('`POST /set`, one small document, durability fsync', kiln, { duration, headers: auth, requests: [setRequest('/set')] }));
    } finally {
      await Promise.all([kiln.stop(), bare?.stop(), pipeline?.stop()]);
    }
    try {
      rows.set('floor-engine', await engineRow(`floor: the engine alone, durable single-document inserts from ${String(CONNECTIONS)} concurrent writers (no HTTP)`, path.join(dir, 'engine'), duration));
    } finally {
      remove();
    }

    const order = ['bare', 'floor-get', 'floor-hooks', 'floor-pipeline', 'get', 'post-get', 'floor-parse', 'floor-engine', 'set'];
    const printed = order.flatMap((key) => {
      const row = rows.get(key);
      return row === undefined ? [] : [row];
    });
    const ceiling = rows.get('bare')?.rps ?? 0;
    const cells: Cell[][] = printed.map((row) => [
      row.name,
      Math.round(row.rps),
      ceiling === 0 ? '–' : `${(row.rps / ceiling).toFixed(2)}×`,
      row.p50,
      row.p99,
      row.cpuUs === undefined ? '–' : row.cpuUs.toFixed(1),
      row.errors,
    ]);
    console.log(markdownTable(['route', 'req/s', '÷ bare route', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'errors'], cells));
    console.log('');
    const parse = rows.get('floor-parse')?.cpuUs;
    const engine = rows.get('floor-engine')?.cpuUs;
    if (parse !== undefined && engine !== undefined && ceiling > 0) {
      // The server has one thread: a /set costs it at least the parse floor's CPU plus the engine's insert.
      const bound = 1e6 / (parse + engine);
      console.log(
        `Derived floor for durable POST /set: parsing a request (${parse.toFixed(1)} µs of server CPU) plus the engine's ` +
          `insert (${engine.toFixed(1)} µs) on the server's one thread allow at most ${Math.round(bound).toLocaleString('en-US')} req/s, ` +
          `${(bound / ceiling).toFixed(2)}× the bare route.`,
      );
      console.log('');
    }
    console.log(
      'Goals: GET by key ≥ 0.7× the bare route; durable POST /set ≥ 0.4× the bare route with p99 < 20 ms. Each row is loaded for ' +
        `${String(WARM_UP_SECONDS)} s unmeasured before its measured run. The floors run ` +
        "beside their rows and are sent the same requests (token included): a KilnDB GET answer's exact bytes from a route " +
        'of the same pattern that does nothing, then with one no-op hook per phase (what the hooks KilnDB runs cost before ' +
        "they do anything); KilnDB's own app, hooks and all, around a route replaying that answer without the " +
        "database (what its token check, rate limit, security headers and latency metric cost); a bare POST route parsing " +
        "the same /set requests; the engine's own durable inserts without HTTP. Server CPU µs/req is the server process's user + system time over the row (from /proc): on 2 cores " +
        "autocannon's share moves req/s, not this.",
    );
  },
};
