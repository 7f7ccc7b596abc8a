import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestServer, type TestServer } from './test-support/http.js';

describe('the REST routes in /openapi.json', () => {
  let server: TestServer;
  beforeAll(async () => {
    ({ server } = await startRestServer());
  });
  afterAll(async () => {
    await server.stop();
  });

  it('documents every REST route with its parameters and bodies', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { paths: Record<string, Record<string, { tags?: string[]; requestBody?: unknown; parameters?: { name: string }[] }>> };
    const routes: [string, string][] = [
      ['/collections/{c}/docs/{key}', 'put'],
      ['/collections/{c}/docs/{key}', 'patch'],
      ['/collections/{c}/docs/{key}', 'delete'],
      ['/collections/{c}/query', 'post'],
      ['/collections/{c}/indexes', 'get'],
      ['/collections/{c}/indexes', 'post'],
      ['/collections/{c}/indexes/{field}', 'delete'],
      ['/transactions', 'post'],
      ['/collections/{c}/changes', 'get'],
      ['/changes', 'get'],
    ];
    for (const [path, method] of routes) {
      const operation = spec.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.tags?.some((tag) => tag.startsWith('REST')), `${method} ${path} tags`).toBe(true);
    }
    expect(spec.paths['/collections/{c}/docs/{key}']?.put?.requestBody).toBeDefined();
    expect(spec.paths['/transactions']?.post?.requestBody).toBeDefined();
    expect(spec.paths['/collections/{c}/docs/{key}']?.put?.parameters?.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['c', 'key', 'if-match', 'if-none-match']),
    );
  });
});
