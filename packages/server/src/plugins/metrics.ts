import { timingSafeEqual } from 'node:crypto';
import type { Database } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { requireAdmin } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { WriteLatency, type LatencySummary } from './write-latency.js';

/** What the rest of the server reports into (`app.metrics`), and reads back for the console's storage page. */
export interface ServerMetrics {
  /** This app's own registry: two apps in one process never share (or collide on) a metric. */
  readonly registry: Registry;
  /** The WebSocket feed reports its open connections here. */
  setOpenWebSockets(count: number): void;
  /** Latency of the most recent write requests (up to 512). */
  writeLatency(): LatencySummary;
  /** The Prometheus text exposition. */
  exposition(): Promise<string>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServerMetrics;
  }
}

// Requests that change data, for the write-latency summary (the MoltenDB routes, S4's REST writes, transactions).
const WRITE_ROUTES: ReadonlySet<string> = new Set(['/set', '/update', '/delete', '/transactions']);

function isWrite(method: string, route: string): boolean {
  return method === 'PUT' || method === 'PATCH' || method === 'DELETE' || (method === 'POST' && WRITE_ROUTES.has(route));
}

/** Gauges and counters read from db.stats() at scrape time. */
function registerDatabaseMetrics(registry: Registry, db: Database): void {
  let lastWrites = 0;
  let lastSyncs = 0;
  const stats = () => db.stats();
  new Gauge({ name: 'kilndb_wal_bytes', help: 'Bytes in the live log segments', registers: [registry], collect() { this.set(stats().log.bytes); } });
  new Gauge({ name: 'kilndb_wal_segments', help: 'Live log segment files', registers: [registry], collect() { this.set(stats().log.segments); } });
  new Gauge({ name: 'kilndb_documents', help: 'Documents held (expired ones not yet swept included)', registers: [registry], collect() { this.set(stats().documents); } });
  new Gauge({ name: 'kilndb_seq', help: 'Sequence number of the last commit applied', registers: [registry], collect() { this.set(stats().seq); } });
  new Counter({
    name: 'kilndb_compactions_total',
    help: 'Compactions (snapshots written) since the database was opened',
    registers: [registry],
    collect() { this.reset(); this.inc(stats().compactions); },
  });
  new Counter({
    name: 'kilndb_wal_appends_total',
    help: 'Group-commit members appended to the log since open',
    registers: [registry],
    collect() { this.reset(); this.inc(stats().log.writes); },
  });
  new Counter({
    name: 'kilndb_wal_syncs_total',
    help: 'fdatasync calls on the log since open (one per group commit under fsync durability)',
    registers: [registry],
    collect() { this.reset(); this.inc(stats().log.syncs); },
  });
  // The engine counts appends and syncs, not each group: appends per sync since the previous scrape is the
  // mean group-commit batch size over that interval.
  new Gauge({
    name: 'kilndb_group_commit_batch_size',
    help: 'Mean appends per fdatasync since the previous scrape (0 when nothing was synced)',
    registers: [registry],
    collect() {
      const { writes, syncs } = stats().log;
      const dSyncs = syncs - lastSyncs;
      this.set(dSyncs > 0 ? (writes - lastWrites) / dSyncs : 0);
      lastWrites = writes;
      lastSyncs = syncs;
    },
  });
}

/** Is the request's bearer token the configured metrics token? (Compared in constant time.) */
function hasMetricsToken(request: FastifyRequest, token: string): boolean {
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const metrics: FastifyPluginCallback<ServerContext> = (app, { db, config }, done) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kilndb_' });
  registerDatabaseMetrics(registry, db);
  const latency = new Histogram({
    name: 'kilndb_http_request_duration_seconds',
    help: 'Request latency by route',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const websockets = new Gauge({ name: 'kilndb_websocket_connections', help: 'Open WebSocket connections', registers: [registry] });
  const writes = new WriteLatency(512);

  const serverMetrics: ServerMetrics = {
    registry,
    setOpenWebSockets: (count) => {
      websockets.set(count);
    },
    writeLatency: () => writes.summary(),
    exposition: () => registry.metrics(),
  };
  app.decorate('metrics', serverMetrics);

  // One labelled child per method, route and status, found by a string key: prom-client would otherwise
  // hash the label object on every observation.
  const byLabels = new Map<string, { observe(seconds: number): void }>();
  app.addHook('onResponse', (request, reply, hookDone) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const ms = reply.elapsedTime;
    const status = reply.statusCode;
    const key = `${request.method} ${String(status)} ${route}`;
    let child = byLabels.get(key);
    if (child === undefined) {
      child = latency.labels({ method: request.method, route, status_code: String(status) });
      byLabels.set(key, child);
    }
    child.observe(ms / 1000);
    if (status < 400 && isWrite(request.method, route)) writes.record(ms);
    hookDone();
  });

  // A scraper's metrics token is not a user token: answered here, before the auth hook would refuse it.
  const { metricsToken } = config;
  if (metricsToken !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url !== '/metrics' || request.method !== 'GET' || !hasMetricsToken(request, metricsToken)) return undefined;
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    requireAdmin(request);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  done();
};

/** Prometheus metrics at /metrics (admin or the metrics token) and `app.metrics` for the other plugins. */
export const metricsPlugin = fastifyPlugin(metrics, { name: 'kilndb-metrics', fastify: '5.x' });
