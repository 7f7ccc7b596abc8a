import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../test-support/http.js';
import { startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; additionalProperties?: boolean } }> } }>>;
}

describe('OpenAPI', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('documents the MoltenDB routes with their body schemas at /openapi.json', async () => {
    const answer = await call(server.url, 'GET', '/openapi.json');
    const spec = answer.body as OpenApi;
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of ['/set', '/update', '/delete', '/get', '/schema', '/snapshot', '/stats', '/collections/{c}', '/collections/{c}/docs/{key}', '/system/health', '/system/storage']) {
      expect(Object.keys(spec.paths), path).toContain(path);
    }
    const getBody = spec.paths['/get']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(getBody?.properties ?? {})).toEqual(['collection', 'keys', 'where', 'fields', 'excludedFields', 'joins', 'sort', 'order', 'count', 'offset']);
    expect(getBody?.additionalProperties).toBe(false);
    expect(Object.keys(spec.paths)).not.toContain('/metrics');
  });

  it('serves the docs page under helmet’s CSP: only same-origin scripts, no inline ones', async () => {
    const page = await fetch(`${server.url}/docs/`, { redirect: 'follow' });
    const html = await page.text();
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', inline = ''] of scripts) {
      expect(inline.trim()).toBe('');
      const src = /src="([^"]+)"/.exec(attributes)?.[1] ?? '';
      expect(src).not.toMatch(/^[a-z]+:/i);
      const asset = await fetch(new URL(src, `${server.url}/docs/`));
      await asset.arrayBuffer(); // an unread body would hold its connection open
      expect([src, asset.status]).toEqual([src, 200]);
    }
  });
});
