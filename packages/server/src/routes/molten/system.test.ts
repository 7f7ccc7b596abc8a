import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindCall, delegatedToken, type BoundCall } from '../../test-support/http.js';
import { rootToken, startTestServer } from '../../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;
let api: BoundCall;
let scoped: string;
beforeAll(async () => {
  server = await startTestServer({ rateLimitMax: 100_000 });
  const root = await rootToken(server.url);
  api = bindCall(server.url, root);
  scoped = await delegatedToken(server.url, root, ['read:*:*', 'write:*:*']);
});
afterAll(async () => {
  await server.stop();
});

describe('GET /system/health', () => {
  it('answers without a token', async () => {
    const answer = await api('GET', '/system/health', { token: null });
    expect([answer.status, answer.body]).toEqual([200, { status: 'ok', message: 'KilnDB is running' }]);
  });
});

describe('GET /system/metrics', () => {
  it('answers MoltenDB-shaped JSON to an admin token', async () => {
    await api('POST', '/set', { body: { collection: 'm', data: { a: { n: 1 }, b: { n: 2 } } } });
    const answer = await api('GET', '/system/metrics');
    const body = answer.body as { uptime_seconds: number; process: { memory_used_bytes: number }; host: { memory: Record<string, number>; disks: unknown[] }; database: Record<string, unknown> };
    expect(answer.status).toBe(200);
    expect(body.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(body.process.memory_used_bytes).toBeGreaterThan(0);
    expect(body.host.memory['total_bytes']).toBeGreaterThan(body.host.memory['free_bytes'] ?? Infinity);
    expect(body.host.disks).toHaveLength(1);
    expect(body.database).toEqual({ hot_keys_count: 2, wal_size_bytes: server.db.stats().log.bytes, storage_mode: 'fsync' });
  });

  it('answers the Prometheus exposition to a scraper', async () => {
    const answer = await api('GET', '/system/metrics', { headers: { accept: 'text/plain;version=0.0.4' } });
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(String(answer.body)).toContain('kilndb_wal_bytes');
  });

  it('refuses non-admin tokens and requests without one', async () => {
    expect((await api('GET', '/system/metrics', { token: scoped })).status).toBe(403);
    expect((await api('GET', '/system/metrics', { token: null })).status).toBe(401);
  });
});

describe('POST /system/compact and GET /system/storage', () => {
  it('compacts on request and the storage report follows the log, snapshot and writes', async () => {
    for (let i = 0; i < 5; i++) await api('POST', '/set', { body: { collection: 'store', data: { [`k${i}`]: { i, pad: 'x'.repeat(100) } } } });
    await api('POST', '/set', { body: { collection: 'store', data: { k0: { i: 0 } } } });
    const before = (await api('GET', '/system/storage')).body as Record<string, Record<string, unknown> | number | null>;
    const log = before['log'] as { bytes: number; segments: number };
    expect(log.bytes).toBeGreaterThan(500);
    expect(before['documents']).toBe(server.db.stats().documents);
    expect(before['groupCommit']).toMatchObject({ writes: server.db.stats().log.writes, syncs: server.db.stats().log.syncs });
    const latency = before['writeLatency'] as { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
    expect(latency.samples).toBeGreaterThanOrEqual(6);
    expect(latency.p50Ms).toBeGreaterThan(0);
    expect(latency.p99Ms).toBeLessThanOrEqual(latency.maxMs);

    const compacted = await api('POST', '/system/compact');
    expect(compacted.body).toMatchObject({ status: 'ok', seq: server.db.seq, written: true });
    const after = (await api('GET', '/system/storage')).body as Record<string, unknown>;
    expect(after['compactions']).toBe((before['compactions'] as number) + 1);
    expect(after['snapshot']).toMatchObject({ seq: server.db.seq });
    expect((after['snapshot'] as { bytes: number }).bytes).toBeGreaterThan(0);
    expect((after['log'] as { bytes: number }).bytes).toBeLessThan(log.bytes);
    const estimate = after['estimate'] as { liveBytes: number; diskBytes: number; deadBytes: number };
    expect(estimate.liveBytes).toBeGreaterThan(0);
    expect(estimate.deadBytes).toBe(Math.max(0, estimate.diskBytes - estimate.liveBytes));
  });

  it('are for admin tokens only', async () => {
    expect((await api('POST', '/system/compact', { token: scoped })).status).toBe(403);
    expect((await api('GET', '/system/storage', { token: scoped })).status).toBe(403);
    expect((await api('GET', '/system/storage', { token: null })).status).toBe(401);
  });
});

describe('rate limit', () => {
  it('throttles the MoltenDB routes per client address, but never the health check', async () => {
    const limited = await startTestServer({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    try {
      const call = bindCall(limited.url, await rootToken(limited.url));
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await call('POST', '/get', { body: { collection: 'c' } })).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const otherRoute = await call('POST', '/set', { body: { collection: 'c', data: {} } });
      expect(otherRoute.status).toBe(200); // the limiter keeps an allowance per route
      for (let i = 0; i < 5; i++) expect((await call('GET', '/system/health')).status).toBe(200);
      const throttled = await call('POST', '/get', { body: { collection: 'c' } });
      expect(throttled.body).toMatchObject({ statusCode: 429 });
    } finally {
      await limited.stop();
    }
  });
});
