import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { compileSchema, type CollectionStats, type Database } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { allows, authorize, principalOf, requireAdmin } from '../../auth/guard.js';
import { rateLimited } from '../../auth/rate-limit.js';
import type { ServerContext } from '../../context.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName } from '../../limits.js';
import { ErrorReply } from '../../schemas/names.js';
import { SchemaBody, StatsBody } from './schemas.js';

const StatsBodyCheck = Compile(StatsBody);

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 503: ErrorReply };

const StatsEntry = Type.Object({
  count: Type.Integer(),
  maxSize: Type.Optional(Type.Integer()),
  expiresAt: Type.Optional(Type.String({ description: 'When the collection TTL runs out (ISO-8601)' })),
  expired: Type.Optional(Type.Literal(true)),
});

const StatsReply = Type.Union([
  Type.Object({ collections: Type.Record(Type.String(), StatsEntry), total: Type.Integer() }),
  Type.Intersect([Type.Object({ collection: Type.String() }), StatsEntry]),
]);

/** One collection's entry in MoltenDB's /stats shape: an expired collection counts 0. */
function statsEntry(stats: CollectionStats): Static<typeof StatsEntry> {
  return {
    count: stats.expired ? 0 : stats.count,
    ...(stats.maxSize === undefined ? {} : { maxSize: stats.maxSize }),
    ...(stats.expiresAt === undefined ? {} : { expiresAt: new Date(stats.expiresAt).toISOString() }),
    ...(stats.expired ? { expired: true as const } : {}),
  };
}

/** The `collection` of a POST /stats body, which may be absent (MoltenDB clients send none for all collections). */
function statsCollection(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (!StatsBodyCheck.Check(body)) {
    const unknown = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).find((name) => name !== 'collection') : undefined;
    if (unknown !== undefined) throw new HttpError(400, `Unknown property: '${unknown}'. Check the API docs for supported properties`, { property: unknown });
    throw new HttpError(400, 'Body must be { collection? } with a collection name');
  }
  return body.collection;
}

/** GET /stats and POST /stats: one collection (read access to all of it), or every collection the token may read whole. */
function stats(request: FastifyRequest, db: Database, collection: string | undefined): Static<typeof StatsReply> {
  if (collection !== undefined) {
    checkCollectionName(collection);
    authorize(request, 'read', collection);
    if (!db.collections().includes(collection)) throw new HttpError(404, 'Collection not found', { collection });
    return { collection, ...statsEntry(db.collection(collection).stats()) };
  }
  const principal = principalOf(request);
  const collections: Record<string, Static<typeof StatsEntry>> = {};
  let total = 0;
  for (const name of db.collections()) {
    if (!allows(principal, 'read', name)) continue;
    const entry = statsEntry(db.collection(name).stats());
    collections[name] = entry;
    total += entry.count;
  }
  return { collections, total };
}

/** POST /schema and POST /snapshot (admin), GET|POST /stats. */
export const adminRoutes: FastifyPluginCallback<ServerContext> = (base, { db, config }, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const limited = rateLimited(config);

  app.post(
    '/schema',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Set a collection’s JSON schema, TTL or cap (admin)',
        description: 'Admin only: a TTL can expire a whole collection. The schema is compiled before anything is applied.',
        body: SchemaBody,
        response: { 200: Type.Object({ status: Type.Literal('ok'), collection: Type.String() }), ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { collection, schema, ttl, maxSize } = request.body;
      checkCollectionName(collection);
      if (schema === undefined && ttl === undefined && maxSize === undefined) {
        throw new HttpError(400, "At least one of 'schema', 'ttl', or 'maxSize' must be provided");
      }
      if (schema !== undefined && schema !== null) compileSchema(schema);
      const target = db.collection(collection);
      if (schema !== undefined) await target.setSchema(schema ?? undefined);
      if (ttl !== undefined) await target.setTtl(ttl);
      if (maxSize !== undefined) await target.setMaxSize(maxSize);
      return { status: 'ok' as const, collection };
    },
  );

  app.post(
    '/snapshot',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Take a snapshot now (admin)',
        description: 'Writes a snapshot atomically and retires the log segments it covers; writes go on meanwhile.',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), message: Type.String(), seq: Type.Integer(), written: Type.Boolean() }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      const info = await db.snapshot();
      return { status: 'ok' as const, message: 'Snapshot taken successfully', seq: info.seq, written: info.written };
    },
  );

  const statsReply = { 200: StatsReply, ...errors };
  app.get(
    '/stats',
    { config: limited, schema: { tags: ['MoltenDB'], summary: 'Document counts of every readable collection', response: statsReply } },
    (request) => stats(request, db, undefined),
  );
  app.post(
    '/stats',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Document counts: one collection, or all',
        description: 'Body `{ collection? }`, or no body at all (every readable collection).',
        response: statsReply,
      },
    },
    (request) => stats(request, db, statsCollection(request.body)),
  );
  done();
};
