import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_PASSWORD, BENCH_USER } from '../server/credentials.js';
import { markdownTable, tempDir, type Cell, type Suite } from '../harness.js';

const CONNECTIONS = 100;
const DOCS = 10_000;
const COLLECTION = 'bench';
const CHILD = fileURLToPath(new URL('../server/child.js', import.meta.url));

interface Running {
  readonly url: string;
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
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => { resolve(); });
        child.kill('SIGTERM');
      }),
  };
}

/** Saves one KilnDB answer's headers and body, for the bare server to replay. */
async function recordAnswer(url: string, token: string, file: string): Promise<void> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
  });
  writeFileSync(file, JSON.stringify({ headers, body: await response.text() }));
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

interface Load {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

async function load(name: string, options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ connections: CONNECTIONS, ...options });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

function smallDoc(i: number): Record<string, unknown> {
  return { name: `laptop-${i}`, brand: ['lenovo', 'dell', 'apple'][i % 3], price: 500 + (i % 1500), ram: 8 << (i % 3) };
}

export const serverSuite: Suite = {
  name: 'server',
  description: `@kilndb/server under autocannon on 127.0.0.1, ${CONNECTIONS} connections, server in its own process`,
  async run({ quick }) {
    const duration = quick ? 3 : 10;
    const rows: Load[] = [];

    const { dir, remove } = tempDir('server');
    const answerFile = path.join(dir, 'answer.json');
    const kiln = await startChild(['kiln', dir]);
    try {
      const { token } = (await post(`${kiln.url}/login`, { username: BENCH_USER, password: BENCH_PASSWORD })) as { token: string };
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      for (let at = 0; at < DOCS; at += 1000) {
        const data: Record<string, unknown> = {};
        for (let i = at; i < at + 1000; i++) data[`k${i}`] = smallDoc(i);
        await post(`${kiln.url}/set`, { collection: COLLECTION, data }, token);
      }
      await recordAnswer(`${kiln.url}/collections/${COLLECTION}/docs/k1`, token, answerFile);
      rows.push(
        await load('GET /collections/:c/docs/:key', {
          url: kiln.url,
          duration,
          headers: auth,
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/collections/${COLLECTION}/docs/k${Math.floor(Math.random() * DOCS)}` }) }],
        }),
      );
      rows.push(
        await load('POST /get by key', {
          url: kiln.url,
          duration,
          headers: auth,
          requests: [
            {
              method: 'POST',
              path: '/get',
              setupRequest: (req) => ({ ...req, body: JSON.stringify({ collection: COLLECTION, keys: `k${Math.floor(Math.random() * DOCS)}` }) }),
            },
          ],
        }),
      );
      let written = 0;
      rows.push(
        await load('POST /set, one small document, durability fsync', {
          url: kiln.url,
          duration,
          headers: auth,
          requests: [
            {
              method: 'POST',
              path: '/set',
              setupRequest: (req) => {
                written += 1;
                return { ...req, body: JSON.stringify({ collection: 'writes', data: { [`w${written}`]: smallDoc(written) } }) };
              },
            },
          ],
        }),
      );
    } finally {
      await kiln.stop();
    }

    const bare = await startChild(['bare', answerFile]);
    try {
      rows.unshift(
        await load('bare Fastify route (constant JSON)', { url: `${bare.url}/constant`, duration }),
        await load('floor: bare route replaying a GET answer (same headers and body, no work)', { url: `${bare.url}/same`, duration }),
      );
    } finally {
      await bare.stop();
      remove();
    }

    const ceiling = rows[0]?.rps ?? 0;
    const cells: Cell[][] = rows.map((row) => [
      row.name,
      Math.round(row.rps),
      ceiling === 0 ? '–' : `${(row.rps / ceiling).toFixed(2)}×`,
      row.p50,
      row.p99,
      row.errors,
    ]);
    console.log(markdownTable(['route', 'req/s', '÷ bare route', 'p50 ms', 'p99 ms', 'errors'], cells));
    console.log('');
    console.log(
      'Goals: GET by key ≥ 0.7× the bare route; durable POST /set ≥ 0.4× the bare route with p99 < 20 ms. The floor row sends ' +
        "a KilnDB GET answer's exact bytes from a route that does nothing: on a 2-core machine autocannon shares the CPU, so " +
        'the headers alone (security, rate limit, ETag) move the ceiling.',
    );
  },
};
