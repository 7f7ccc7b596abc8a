import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerConfigInput } from '../config.js';
import { startServer, type KilnServer } from '../server.js';

export const ROOT_USER = 'root';
export const ROOT_PASSWORD = 'correct horse battery staple';
export const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

/** A server on 127.0.0.1 with a free port over a fresh temp directory; `stop()` closes it and removes the directory. */
export async function startTestServer(overrides: Partial<ServerConfigInput> = {}): Promise<KilnServer & { stop(): Promise<void>; dir: string }> {
  const dir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'kilndb-server-')));
  const server = await startServer({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    rootUser: ROOT_USER,
    rootPassword: ROOT_PASSWORD,
    jwtSecret: JWT_SECRET,
    logLevel: 'silent',
    ...overrides,
  });
  return Object.assign(server, {
    dir,
    async stop() {
      await server.close();
      if (overrides.dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  });
}

/** Logs in as root and returns the bearer token. */
export async function rootToken(url: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ROOT_USER, password: ROOT_PASSWORD }),
  });
  const body = (await response.json()) as { token?: string };
  if (typeof body.token !== 'string') throw new Error(`login failed: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}
