import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../test-support/http.js';
import { startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
const html = { accept: 'text/html,application/xhtml+xml' };

describe('console assets', () => {
  let server: TestServer;
  let staticDir: string;
  beforeAll(async () => {
    staticDir = await mkdtemp(join(tmpdir(), 'kilndb-console-'));
    await mkdir(join(staticDir, 'assets'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>KilnDB Studio</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
    server = await startTestServer({ staticDir });
  });
  afterAll(async () => {
    await server.stop();
    await rm(staticDir, { recursive: true, force: true });
  });

  it('serves index.html at / and the built files', async () => {
    const root = await call(server.url, 'GET', '/', { headers: html });
    expect([root.status, String(root.body)]).toEqual([200, '<!doctype html><title>KilnDB Studio</title>']);
    const script = await call(server.url, 'GET', '/assets/app.js');
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'application/javascript; charset=utf-8']);
  });

  it('answers client-side routes with index.html', async () => {
    const page = await call(server.url, 'GET', '/studio/collections/users', { headers: html });
    expect([page.status, String(page.body)]).toEqual([200, '<!doctype html><title>KilnDB Studio</title>']);
  });

  it('keeps API misses and missing files JSON 404s', async () => {
    for (const path of ['/assets/missing.js', '/system/nope', '/collections/users/docs/a/b']) {
      const answer = await call(server.url, 'GET', path, { headers: html });
      expect(answer.status, path).toBe(404);
      expect(answer.body).toMatchObject({ statusCode: 404 });
    }
    expect((await call(server.url, 'GET', '/studio')).status).toBe(404); // not a browser navigation
    expect((await call(server.url, 'GET', '/system/health', { headers: html })).body).toMatchObject({ status: 'ok' });
  });
});

describe('without a staticDir', () => {
  it('serves nothing at /', async () => {
    const server = await startTestServer();
    try {
      expect((await call(server.url, 'GET', '/', { headers: html })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
