import { timingSafeEqual } from 'node:crypto';
import type { Database } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { requireAdmin } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { RequestLatency } from './request-latency.js';
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
  const latency = new RequestLatency();
  latency.register(registry);
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

  app.addHook('onResponse', (request, reply, hookDone) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const ms = reply.elapsedTime;
    const status = reply.statusCode;
    latency.observe(request.method, route, status, ms / 1000);
    if (status < 400 && isWrite(request.method, route)) writes.record(ms);
    hookDone();
  });

  // A scraper's metrics token is not a user token: answered here, before the auth hook would refuse it.
  const { metricsToken } = config;
  if (metricsToken !== undefined) {
    // Callback style: every other request passes through without a promise.
    app.addHook('onRequest', (request, reply, hookDone) => {
      if (request.method !== 'GET' || request.routeOptions.url !== '/metrics' || !hasMetricsToken(request, metricsToken)) {
        hookDone();
        return;
      }
      // Sending without calling hookDone ends the request here.
      registry.metrics().then(
        (text) => {
          void reply.type(registry.contentType).send(text);
        },
        hookDone,
      );
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
