import type { FastifyReply } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../test-support/server.js';
import { durationWords, RouteRateLimit } from './rate-limit.js';

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

/** A reply that only records the headers set on it. */
function recordingReply(): { reply: FastifyReply; headers: Map<string, unknown> } {
  const headers = new Map<string, unknown>();
  const reply = {
    header(name: string, value: unknown) {
      headers.set(name, value);
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, headers };
}

describe('RouteRateLimit', () => {
  it('lets max requests through per window, then answers 429 with the time left and the x-ratelimit headers', () => {
    const limit = new RouteRateLimit(2, 60_000);
    const { reply, headers } = recordingReply();
    expect(limit.hit('10.0.0.1', reply, 1_000)).toBeUndefined();
    expect(limit.hit('10.0.0.1', reply, 2_000)).toBeUndefined();
    expect(headers.size).toBe(0);
    const refused = limit.hit('10.0.0.1', reply, 31_500);
    expect(refused?.statusCode).toBe(429);
    // 29.5 s of the window are left: rounded up to 30 s.
    expect(refused?.message).toBe('Rate limit exceeded: 2 requests per 30 seconds; retry later');
    expect(Object.fromEntries(headers)).toEqual({ 'x-ratelimit-limit': 2, 'x-ratelimit-remaining': 0, 'x-ratelimit-reset': 30, 'retry-after': 30 });
  });

  it('counts each address on its own and starts a new window once the old one is over', () => {
    const limit = new RouteRateLimit(1, 1_000);
    const { reply } = recordingReply();
    expect(limit.hit('a', reply, 0)).toBeUndefined();
    expect(limit.hit('b', reply, 0)).toBeUndefined();
    expect(limit.hit('a', reply, 999)?.statusCode).toBe(429);
    expect(limit.hit('a', reply, 1_000)).toBeUndefined();
    expect(limit.hit('a', reply, 1_001)?.statusCode).toBe(429);
  });

  it('forgets the least recently seen address first once it tracks 5000', () => {
    const limit = new RouteRateLimit(1, 60_000);
    const { reply } = recordingReply();
    for (let i = 0; i < 5000; i++) limit.hit(`10.0.${String(i >> 8)}.${String(i & 255)}`, reply, 0);
    // Seen again: now the most recent, so it is kept while the next address pushes out 10.0.0.1.
    expect(limit.hit('10.0.0.0', reply, 1)?.statusCode).toBe(429);
    expect(limit.hit('192.168.0.1', reply, 2)).toBeUndefined();
    expect(limit.hit('10.0.0.0', reply, 3)?.statusCode).toBe(429);
    expect(limit.hit('10.0.0.1', reply, 4)).toBeUndefined();
  });
});

describe('durationWords', () => {
  it('words whole seconds, minutes, hours and days, rounding to the nearest unit', () => {
    expect([1_000, 30_000, 60_000, 90_000, 3_600_000, 7_200_000, 86_400_000].map(durationWords)).toEqual([
      '1 second',
      '30 seconds',
      '1 minute',
      '2 minutes',
      '1 hour',
      '2 hours',
      '1 day',
    ]);
  });
});
