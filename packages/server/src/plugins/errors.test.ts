import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindCall, type BoundCall, type TestResponse } from '../test-support/http.js';
import { rootToken, startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Every error answer: `{error, statusCode[, detail]}` with the HTTP status, and nothing that looks like a stack. */
function expectErrorShape(response: TestResponse, status: number): { error: string; statusCode: number; detail?: unknown } {
  expect(response.status).toBe(status);
  const body = response.body as { error: string; statusCode: number; detail?: unknown };
  expect(typeof body.error).toBe('string');
  expect(body.statusCode).toBe(status);
  expect(Object.keys(body).every((name) => ['error', 'statusCode', 'detail'].includes(name))).toBe(true);
  expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+|node:internal/);
  return body;
}

describe('error answers', () => {
  let server: TestServer;
  let api: BoundCall;
  beforeAll(async () => {
    server = await startTestServer({ rateLimitMax: 100_000, maxBodyBytes: 64 * 1024 });
    api = bindCall(server.url, await rootToken(server.url));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers invalid JSON 400', async () => {
    const body = expectErrorShape(await api('POST', '/set', { body: '{"collection": "a", "data": {' }), 400);
    expect(body.error).toBe('Invalid JSON body');
  });

  it('answers an empty JSON body 400', async () => {
    expectErrorShape(await api('POST', '/get', { body: '' , headers: { 'content-type': 'application/json' } }), 400);
  });

  it('answers JSON nested deeper than 32 levels 400, and survives 30,000 levels', async () => {
    const deep = (n: number) => `{"collection":"a","data":{"k":${'{"x":'.repeat(n)}1${'}'.repeat(n)}}}`;
    expect((await api('POST', '/set', { body: deep(29) })).status).toBe(200);
    expect(expectErrorShape(await api('POST', '/set', { body: deep(31) }), 400).error).toBe('JSON nesting too deep (max 32 levels)');
    expectErrorShape(await api('POST', '/get', { body: '['.repeat(30_000) + ']'.repeat(30_000) }), 400);
    expect((await api('GET', '/system/health')).status).toBe(200);
  });

  it('answers a body over maxBodyBytes 413', async () => {
    const body = expectErrorShape(await api('POST', '/set', { body: { collection: 'a', data: { k: { blob: 'x'.repeat(70 * 1024) } } } }), 413);
    expect(body.error).toContain('Payload too large');
  });

  it('answers a body that is not JSON 415', async () => {
    expectErrorShape(await api('POST', '/set', { body: 'collection=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
  });

  it('refuses __proto__ keys in a JSON body', async () => {
    expectErrorShape(await api('POST', '/set', { body: '{"collection":"a","data":{"k":{"__proto__":{"admin":true}}}}' }), 400);
  });

  it('names an unknown property', async () => {
    const body = expectErrorShape(await api('POST', '/set', { body: { collection: 'a', data: {}, colection: 'b' } }), 400);
    expect(body.error).toBe("Unknown property: 'colection'. Check the API docs for supported properties");
    expect(body.detail).toMatchObject({ property: 'colection' });
  });

  it('names a missing property and a property of the wrong type', async () => {
    expect(expectErrorShape(await api('POST', '/set', { body: { collection: 'a' } }), 400).error).toBe("Missing required property 'data'");
    const wrong = expectErrorShape(await api('POST', '/get', { body: { collection: 'a', offset: 'ten' } }), 400);
    expect(wrong.error).toContain("'offset'");
  });

  it('answers unknown routes 404 in the same shape', async () => {
    expect(expectErrorShape(await api('GET', '/no/such/route'), 404).error).toBe('Route GET /no/such/route not found');
    expectErrorShape(await api('DELETE', '/set'), 404);
  });

  it('answers 401 without a token and 403 without the scope, in the same shape', async () => {
    expectErrorShape(await api('POST', '/get', { token: null, body: { collection: 'a' } }), 401);
    expectErrorShape(await api('POST', '/get', { token: 'not-a-token', body: { collection: 'a' } }), 401);
  });
});

describe('storage faults', () => {
  it('answers 503 once the database cannot be used, never 500', async () => {
    const server = await startTestServer({ rateLimitMax: 100_000 });
    try {
      const api = bindCall(server.url, await rootToken(server.url));
      expect((await api('POST', '/set', { body: { collection: 'a', data: { k: { v: 1 } } } })).status).toBe(200);
      await server.db.close();
      const write = expectErrorShape(await api('POST', '/set', { body: { collection: 'a', data: { k: { v: 2 } } } }), 503);
      expect(write.error).toContain('storage fault');
      expect(write.error).not.toContain(server.dir);
      expectErrorShape(await api('POST', '/get', { body: { collection: 'a', keys: 'k' } }), 503);
    } finally {
      await server.stop();
    }
  });
});
