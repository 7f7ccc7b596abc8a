import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ConflictError, DocumentNotFoundError } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authorize, principalOf } from '../../auth/guard.js';
import type { ScopeAction } from '../../auth/principal.js';
import { rateLimited } from '../../auth/rate-limit.js';
import type { ServerContext } from '../../context.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName, checkDocumentKey, checkKeyCount } from '../../limits.js';
import { ErrorReply } from '../../schemas/names.js';
import { resolveExtends } from './extends.js';
import { engineWhere } from './query.js';
import { DeleteBody, SetBody, UpdateBody } from './schemas.js';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 409: ErrorReply, 503: ErrorReply };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** MoltenDB refuses client-set system fields (names starting with `_`) before writing anything; `_v` may guard an update. */
function refuseReservedFields(doc: unknown, key: string | undefined, allowVersion: boolean): void {
  if (!isPlainObject(doc)) return; // the engine names a non-object document
  const field = Object.keys(doc).find((name) => name.startsWith('_') && !(allowVersion && name === '_v'));
  if (field === undefined) return;
  const message = allowVersion
    ? "Fields starting with '_' are reserved."
    : "Fields starting with '_' are reserved for internal use and cannot be set by the client.";
  throw new HttpError(400, message, { ...(key === undefined ? {} : { key }), field });
}

/** Checks each key's name and the token's write access to it (a collection-wide scope covers every key). */
function checkKeysAllowed(request: FastifyRequest, action: ScopeAction, collection: string, keys: readonly string[], max: number): void {
  principalOf(request); // a token even when there are no keys
  checkKeyCount(keys.length, max);
  for (const key of keys) {
    checkDocumentKey(key);
    authorize(request, action, collection, key);
  }
}

/** POST /set, /update, /delete: MoltenDB's writes, answered once durable under the configured durability. */
export const writeRoutes: FastifyPluginCallback<ServerContext> = (base, { db, config, writes }, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const limited = rateLimited(config);
  const max = config.maxKeysPerRequest;

  app.post(
    '/set',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Insert or replace documents',
        description:
          'Atomic: all documents or none. An array gets UUIDv7 keys, returned as `ids`. `ttl`/`maxSize` set the collection TTL and cap first. A document\'s `extends: {alias: "collection.key"}` embeds that document under `alias`.',
        body: SetBody,
        response: {
          200: Type.Object({ status: Type.Literal('ok'), count: Type.Integer(), ids: Type.Optional(Type.Array(Type.String())) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { collection, data, ttl, maxSize } = request.body;
      checkCollectionName(collection);
      if (Array.isArray(data)) {
        checkKeyCount(data.length, max);
        authorize(request, 'write', collection);
        data.forEach((doc) => {
          refuseReservedFields(doc, undefined, false);
        });
      } else {
        checkKeysAllowed(request, 'write', collection, Object.keys(data), max);
        for (const [key, doc] of Object.entries(data)) refuseReservedFields(doc, key, false);
      }
      if (ttl !== undefined || maxSize !== undefined) authorize(request, 'write', collection);
      const documents = Array.isArray(data)
        ? data.map((doc) => resolveExtends(request, db, doc))
        : Object.fromEntries(Object.entries(data).map(([key, doc]) => [key, resolveExtends(request, db, doc)]));
      const target = db.collection(collection);
      // MoltenDB's order: the settings, then the documents (so a new cap already applies to them).
      if (ttl !== undefined) await target.setTtl(ttl);
      if (maxSize !== undefined) await target.setMaxSize(maxSize);
      const ids = await writes.run(() => target.insert(documents as Record<string, Record<string, unknown>> | Record<string, unknown>[]));
      return Array.isArray(data) ? { status: 'ok' as const, count: ids.length, ids } : { status: 'ok' as const, count: ids.length };
    },
  );

  app.post(
    '/update',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Merge patches into documents',
        description: 'Top-level merge per key; absent keys are skipped. `_v` in a patch is the expected version (409 when stale). Keys are updated independently, as in MoltenDB: use /transactions for all-or-nothing.',
        body: UpdateBody,
        response: { 200: Type.Object({ status: Type.Literal('ok'), updated: Type.Integer() }), ...errors },
      },
    },
    async (request) => {
      const { collection, data } = request.body;
      checkCollectionName(collection);
      const keys = Object.keys(data);
      checkKeysAllowed(request, 'write', collection, keys, max);
      for (const [key, patch] of Object.entries(data)) {
        if (!isPlainObject(patch)) throw new HttpError(400, `data.${key} must be an object (the fields to merge)`, { key });
        refuseReservedFields(patch, key, true);
      }
      const target = db.collection(collection);
      const outcomes = await Promise.allSettled(keys.map((key) => target.update(key, data[key] as Record<string, unknown>)));
      const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      const failure = failures.find((reason) => reason instanceof ConflictError) ?? failures.find((reason) => !(reason instanceof DocumentNotFoundError));
      if (failure instanceof Error) throw failure;
      return { status: 'ok' as const, updated: outcomes.filter((outcome) => outcome.status === 'fulfilled').length };
    },
  );

  app.post(
    '/delete',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Delete documents, or drop a collection',
        description:
          'One of: `drop: true`; `where` (+ `count`, default 100, and `order`, default asc: oldest first); `keys`; `count` alone (the oldest, or newest with order desc). Each mode is atomic.',
        body: DeleteBody,
        response: {
          200: Type.Union([Type.Object({ status: Type.Literal('ok'), deleted: Type.Integer() }), Type.Object({ status: Type.Literal('ok'), dropped: Type.Literal(true) })]),
          ...errors,
        },
      },
    },
    async (request) => {
      const { collection, keys, where, count, order, drop } = request.body;
      checkCollectionName(collection);
      const target = db.collection(collection);
      if (drop === true) {
        authorize(request, 'delete', collection);
        await target.drop();
        return { status: 'ok' as const, dropped: true as const };
      }
      if (where !== undefined) {
        authorize(request, 'delete', collection);
        const deleted = await target.deleteWhere(engineWhere(where), { count: count ?? 100, order: order ?? 'asc' });
        return { status: 'ok' as const, deleted };
      }
      if (keys !== undefined) {
        const list = typeof keys === 'string' ? [keys] : keys;
        checkKeysAllowed(request, 'delete', collection, list, max);
        return { status: 'ok' as const, deleted: await target.deleteMany(list) };
      }
      if (count !== undefined) {
        authorize(request, 'delete', collection);
        return { status: 'ok' as const, deleted: await target.deleteWhere({}, { count, order: order ?? 'asc' }) };
      }
      throw new HttpError(400, "Missing 'keys' (string or array), 'where', 'count', or 'drop': true");
    },
  );
  done();
};
