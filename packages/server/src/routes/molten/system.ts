import { stat, statfs } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import type { Database } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin } from '../../auth/guard.js';
import { rateLimited } from '../../auth/rate-limit.js';
import type { ServerContext } from '../../context.js';
import { ErrorReply } from '../../schemas/names.js';

const adminErrors = { 401: ErrorReply, 403: ErrorReply, 503: ErrorReply };

/** A Prometheus scraper asks for text (or OpenMetrics); a browser or MoltenDB Studio for JSON. */
function wantsPrometheus(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return !accept.includes('application/json') && (accept.includes('text/plain') || accept.includes('openmetrics'));
}

async function diskOf(directory: string): Promise<{ mount: string; total_bytes: number; used_bytes: number; available_bytes: number }[]> {
  try {
    const fs = await statfs(directory);
    const total = fs.blocks * fs.bsize;
    return [{ mount: directory, total_bytes: total, used_bytes: total - fs.bfree * fs.bsize, available_bytes: fs.bavail * fs.bsize }];
  } catch {
    return [];
  }
}

/** The snapshot file's size and age, when it can be read (it may be replaced between stats() and stat()). */
async function snapshotFile(path: string): Promise<{ bytes: number; ageSeconds: number } | undefined> {
  try {
    const info = await stat(path);
    return { bytes: info.size, ageSeconds: Math.max(0, Math.round((Date.now() - info.mtimeMs) / 1000)) };
  } catch {
    return undefined;
  }
}

/** What the console's storage page shows: everything db.stats() knows, plus estimates of live and dead bytes. */
async function storageReport(db: Database, writeLatency: unknown): Promise<Record<string, unknown>> {
  const stats = db.stats();
  const snapshot = stats.snapshot === undefined ? undefined : { seq: stats.snapshot.seq, ...(await snapshotFile(stats.snapshot.path)) };
  let liveBytes = 0;
  const collections: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(stats.collectionStats)) {
    liveBytes += entry.bytes;
    collections[name] = { count: entry.count, stored: entry.stored, bytes: entry.bytes, indexes: entry.indexes, ttl: entry.ttl, maxSize: entry.maxSize };
  }
  // On disk: the snapshot plus the log after it. Whatever exceeds the documents' own size is (roughly)
  // what a compaction would reclaim: overwritten and deleted versions, plus record framing.
  const diskBytes = (snapshot?.bytes ?? 0) + stats.log.bytes;
  const { writes, syncs } = stats.log;
  return {
    directory: stats.directory,
    durability: stats.durability,
    encrypted: stats.encrypted,
    seq: stats.seq,
    documents: stats.documents,
    collectionCount: stats.collections,
    log: { bytes: stats.log.bytes, segments: stats.log.segments, activeSegmentBytes: stats.log.activeSegmentBytes, nextSeq: stats.log.nextSeq },
    snapshot: snapshot ?? null,
    estimate: { liveBytes, diskBytes, deadBytes: Math.max(0, diskBytes - liveBytes) },
    compactions: stats.compactions,
    compacting: stats.compacting,
    groupCommit: { writes, syncs, meanBatchSize: syncs === 0 ? null : Math.round((writes / syncs) * 100) / 100 },
    writeLatency,
    collections,
  };
}

/** GET /system/health (no token), GET /system/metrics, POST /system/compact and GET /system/storage (admin). */
export const systemRoutes: FastifyPluginCallback<ServerContext> = (app, { db, config }, done) => {
  const startedAt = Date.now();
  const limited = rateLimited(config);

  app.get(
    '/system/health',
    {
      schema: {
        tags: ['System'],
        summary: 'Liveness (no token)',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), message: Type.String() }) },
      },
    },
    () => ({ status: 'ok' as const, message: 'KilnDB is running' }),
  );

  app.get(
    '/system/metrics',
    {
      config: limited,
      schema: {
        tags: ['System'],
        summary: 'Uptime, memory, disk and database figures (admin)',
        description: 'JSON in MoltenDB’s shape; with `Accept: text/plain` the Prometheus exposition (as /metrics).',
        response: { 200: Type.Unknown(), ...adminErrors },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      if (wantsPrometheus(request)) return reply.type(app.metrics.registry.contentType).send(await app.metrics.exposition());
      const stats = db.stats();
      const total = totalmem();
      return {
        uptime_seconds: Math.floor((Date.now() - startedAt) / 1000),
        process: { memory_used_bytes: process.memoryUsage().rss },
        host: { memory: { total_bytes: total, used_bytes: total - freemem(), free_bytes: freemem() }, disks: await diskOf(config.dataDir) },
        database: { hot_keys_count: stats.documents, wal_size_bytes: stats.log.bytes, storage_mode: stats.durability },
      };
    },
  );

  app.post(
    '/system/compact',
    {
      config: limited,
      schema: {
        tags: ['System'],
        summary: 'Compact now (admin)',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), seq: Type.Integer(), retiredSegments: Type.Integer(), written: Type.Boolean() }),
          ...adminErrors,
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      const info = await db.compact();
      return { status: 'ok' as const, seq: info.seq, retiredSegments: info.retiredSegments, written: info.written };
    },
  );

  app.get(
    '/system/storage',
    {
      config: limited,
      schema: {
        tags: ['System'],
        summary: 'Storage figures for the console (admin)',
        description:
          'Log bytes and segments, snapshot seq/size/age, live vs dead bytes (an estimate: document JSON sizes against snapshot + log bytes), compactions, group-commit writes/syncs and recent write latency.',
        response: { 200: Type.Unknown(), ...adminErrors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return storageReport(db, app.metrics.writeLatency());
    },
  );
  done();
};
