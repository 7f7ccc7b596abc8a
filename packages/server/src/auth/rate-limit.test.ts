import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A login with an empty body: answered 400 at once (no password hashing), but counted by the limiter. */
async function attempt(url: string, forwardedFor: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: '{}',
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe('rate limit', () => {
  it('keys on the socket address: X-Forwarded-For is ignored without trustProxy', async () => {
    server = await startTestServer({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await attempt(server.url, `10.0.0.${String(i)}`)).status);
    expect(statuses).toEqual([400, 400, 400]);
    const over = await attempt(server.url, '10.0.0.99');
    expect(over.status).toBe(429);
    expect(over.body['statusCode']).toBe(429);
    expect(over.body['error']).toMatch(/Rate limit exceeded: 3 requests per 1 minute/);
  });

  it('sends the x-ratelimit headers and retry-after with a 429 only', async () => {
    server = await startTestServer({ rateLimitMax: 1, rateLimitWindowMs: 60_000 });
    const under = await attempt(server.url, 'x');
    expect(under.headers.get('x-ratelimit-limit')).toBeNull();
    const over = await attempt(server.url, 'x');
    expect(over.status).toBe(429);
    expect(over.headers.get('x-ratelimit-limit')).toBe('1');
    expect(over.headers.get('retry-after')).not.toBeNull();
  });

  it('with trustProxy, keys on the X-Forwarded-For client', async () => {
    server = await startTestServer({ rateLimitMax: 2, rateLimitWindowMs: 60_000, trustProxy: true });
    for (let i = 0; i < 4; i++) expect((await attempt(server.url, `10.0.1.${String(i)}`)).status).toBe(400);
    expect((await attempt(server.url, '10.0.2.1')).status).toBe(400);
    expect((await attempt(server.url, '10.0.2.1')).status).toBe(400);
    expect((await attempt(server.url, '10.0.2.1')).status).toBe(429);
  });

  it('leaves routes that did not opt in alone', async () => {
    server = await startTestServer({ rateLimitMax: 1, rateLimitWindowMs: 60_000 });
    // No route of the skeleton but the auth routes opts in; an unknown path must never be throttled.
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/no-such-route`)).status).toBe(404);
    expect((await attempt(server.url, 'x')).status).toBe(400);
    expect((await attempt(server.url, 'x')).status).toBe(429);
  });
});
