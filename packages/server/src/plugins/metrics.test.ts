import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bindCall, delegatedToken, type BoundCall } from '../test-support/http.js';
import { rootToken, startTestServer } from '../test-support/server.js';
import { WriteLatency } from './write-latency.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
const METRICS_TOKEN = 'scraper-token-0123456789';

/** The value of one sample line (`name{labels} value`) in a Prometheus exposition. */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  let server: TestServer;
  let other: TestServer;
  let api: BoundCall;
  let root: string;
  beforeAll(async () => {
    server = await startTestServer({ rateLimitMax: 100_000, metricsToken: METRICS_TOKEN });
    other = await startTestServer({ rateLimitMax: 100_000 });
    root = await rootToken(server.url);
    api = bindCall(server.url, root);
  });
  afterAll(async () => {
    await Promise.all([server.stop(), other.stop()]);
  });

  it('exposes request latency by route, WAL bytes, group commit, compactions and open WebSockets', async () => {
    for (let i = 0; i < 3; i++) await api('POST', '/set', { body: { collection: 'm', data: { [`k${i}`]: { i } } } });
    await api('POST', '/snapshot');
    server.app.metrics.setOpenWebSockets(2);
    const answer = await api('GET', '/metrics');
    const text = String(answer.body);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(sample(text, 'kilndb_http_request_duration_seconds_count{method="POST",route="/set",status_code="200"}')).toBe(3);
    expect(sample(text, 'kilndb_wal_bytes')).toBe(server.db.stats().log.bytes);
    expect(sample(text, 'kilndb_compactions_total')).toBe(1);
    expect(sample(text, 'kilndb_wal_syncs_total')).toBe(server.db.stats().log.syncs);
    expect(sample(text, 'kilndb_group_commit_batch_size')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kilndb_websocket_connections')).toBe(2);
  });

  it('counts the open /ws connections the feed reports', async () => {
    const gauge = async () => sample(String((await api('GET', '/metrics')).body), 'kilndb_websocket_connections');
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    expect(await gauge()).toBe(1);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
    // The server sees the close a moment after the client does: poll briefly (at most 2 s).
    for (let i = 0; i < 40 && (await gauge()) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await gauge()).toBe(0);
  });

  it('keeps each app’s metrics to itself', async () => {
    const otherRoot = await rootToken(other.url);
    const text = String((await bindCall(other.url, otherRoot)('GET', '/metrics')).body);
    expect(sample(text, 'kilndb_http_request_duration_seconds_count{method="POST",route="/set",status_code="200"}')).toBeUndefined();
    expect(sample(text, 'kilndb_http_request_duration_seconds_count{method="POST",route="/login",status_code="200"}')).toBe(1);
  });

  it('answers the metrics token, and refuses other tokens and none', async () => {
    const scraper = await api('GET', '/metrics', { token: METRICS_TOKEN });
    expect([scraper.status, String(scraper.body).includes('kilndb_wal_bytes')]).toEqual([200, true]);
    expect((await api('GET', '/metrics', { token: `${METRICS_TOKEN}x` })).status).toBe(401);
    expect((await api('GET', '/metrics', { token: null })).status).toBe(401);
    const scoped = await delegatedToken(server.url, root, ['read:*:*']);
    expect((await api('GET', '/metrics', { token: scoped })).status).toBe(403);
    // The metrics token opens /metrics only.
    expect((await api('GET', '/system/storage', { token: METRICS_TOKEN })).status).toBe(401);
  });
});

describe('WriteLatency', () => {
  it('summarises the most recent samples only', () => {
    const latency = new WriteLatency(4);
    expect(latency.summary()).toEqual({ samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
    for (const ms of [100, 1, 2, 3, 4]) latency.record(ms);
    expect(latency.summary()).toEqual({ samples: 4, p50Ms: 3, p99Ms: 4, maxMs: 4 });
  });
});
