import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ResultDoc } from '@kilndb/doc-engine';
import type { FastifyPluginCallback } from 'fastify';
import { Type } from 'typebox';
import { authorize } from '../../auth/guard.js';
import { rateLimited } from '../../auth/rate-limit.js';
import type { ServerContext } from '../../context.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName, checkDocumentKey, checkKeyCount } from '../../limits.js';
import { ErrorReply } from '../../schemas/names.js';
import { moltenDoc, readQuery, type MoltenQuery } from './query.js';
import { CollectionParams, DocParams, GetBody, PageQuery } from './schemas.js';

const notFound = () => new HttpError(404, 'No documents found');

/** A query's answer as MoltenDB gives it: one document for a single key, else an array; 404 when nothing matched. */
function answer(result: ResultDoc | ResultDoc[] | undefined): Record<string, unknown> | Record<string, unknown>[] {
  if (result === undefined) throw notFound();
  if (!Array.isArray(result)) return moltenDoc(result, false);
  if (result.length === 0) throw notFound();
  return result.map((doc) => moltenDoc(doc, true));
}

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply };

/** POST /get (the query language), GET /collections/:c (a page of documents), GET /collections/:c/docs/:key. */
export const readRoutes: FastifyPluginCallback<ServerContext> = (base, { db, config }, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const limited = rateLimited(config);

  app.post(
    '/get',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'Query documents',
        description: 'A single string `keys` answers the document itself (without `_key`); anything else an array whose items carry `_key` and `_v`.',
        body: GetBody,
        response: { 200: Type.Unknown({ description: 'A document, or an array of documents' }), ...errors },
      },
    },
    (request) => {
      const { collection, ...query } = request.body;
      checkCollectionName(collection);
      if (Array.isArray(query.keys)) {
        checkKeyCount(query.keys.length, config.maxKeysPerRequest);
        query.keys.forEach(checkDocumentKey);
      } else if (query.keys !== undefined) {
        checkDocumentKey(query.keys);
      }
      return answer(readQuery(request, db.collection(collection), query));
    },
  );

  app.get(
    '/collections/:c',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB'],
        summary: 'A page of a collection, newest first',
        params: CollectionParams,
        querystring: PageQuery,
        response: { 200: Type.Unknown({ description: 'An array of documents, each with _key and _v' }), ...errors },
      },
    },
    (request) => {
      const { c } = request.params;
      checkCollectionName(c);
      const { limit, offset } = request.query;
      const query: MoltenQuery = { ...(limit === undefined ? {} : { count: limit }), ...(offset === undefined ? {} : { offset }) };
      return answer(readQuery(request, db.collection(c), query));
    },
  );

  app.get(
    '/collections/:c/docs/:key',
    {
      config: limited,
      schema: {
        tags: ['MoltenDB', 'REST'],
        summary: 'One document by key',
        description: 'The document without `_key` (as MoltenDB); `ETag` is its version. `If-None-Match` with the current ETag answers 304.',
        params: DocParams,
        response: { 200: Type.Unknown({ description: 'The document' }), 304: Type.Null(), ...errors },
      },
    },
    (request, reply) => {
      const { c, key } = request.params;
      checkCollectionName(c);
      checkDocumentKey(key);
      authorize(request, 'read', c, key);
      const doc = db.collection(c).get(key);
      if (doc === undefined) throw notFound();
      const etag = `"${String(doc._v)}"`;
      void reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return moltenDoc(doc, false);
    },
  );
  done();
};
