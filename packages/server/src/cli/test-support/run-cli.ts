import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's bin, which imports the built dist/cli/main.js (the root test command builds first). */
export const KILNDB_BIN = fileURLToPath(new URL('../../../bin/kilndb.js', import.meta.url));

export const JWT_SECRET = 'cli-test-secret-cli-test-secret-0123456789';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The parent's environment without any KILNDB_* or MOLTENDB_* variable, plus `env`. */
export function cleanEnv(env: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(KILNDB|MOLTENDB)_/.test(name)));
  return { ...base, ...env };
}

function spawnCli(args: readonly string[], env: Readonly<Record<string, string>>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [KILNDB_BIN, ...args], { env: cleanEnv(env), stdio: 'pipe' });
}

/** Runs `kilndb ...args` to the end (killed after `timeoutMs`), stdout and stderr piped. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 30_000): Promise<CliRun> {
  const child = spawnCli(args, env);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A running `kilndb serve`. */
export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its output is read. */
  readonly exited: Promise<CliRun>;
}

/** Starts `kilndb serve ...args` and waits (at most `timeoutMs`) for its "KilnDB listening on <url>" line. */
export async function startServe(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 30_000): Promise<ServeProcess> {
  const child = spawnCli(['serve', ...args], env);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  let onUrl!: (url: string) => void;
  const url = new Promise<string>((resolve) => (onUrl = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const match = /KilnDB listening on (\S+)/.exec(stdout);
    if (match?.[1] !== undefined) onUrl(match[1]);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kilndb serve did not print its URL within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    void exited.then((run) => {
      reject(new Error(`kilndb serve exited (${run.code ?? run.signal ?? '?'}) before listening; stderr: ${run.stderr}`));
    });
  });
  try {
    return { child, url: await Promise.race([url, failed]), stdout: () => stdout, stderr: () => stderr, exited };
  } finally {
    clearTimeout(timer);
    failed.catch(() => undefined);
  }
}

/** A fresh directory under the OS temp dir, and its removal. */
export async function tempDir(prefix = 'kilndb-cli-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** POST with a JSON body; returns the status and the parsed body. */
export async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the assertion message.
  }
  return { status: response.status, body: parsed };
}

/** Logs in and returns the token (throws with the reply when refused). */
export async function login(url: string, username: string, password: string): Promise<string> {
  const reply = await postJson(`${url}/login`, { username, password });
  const token = (reply.body as { token?: unknown }).token;
  if (reply.status !== 200 || typeof token !== 'string') throw new Error(`login ${username}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return token;
}

/** Resolves once `check()` holds, polling every 10 ms for at most `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
