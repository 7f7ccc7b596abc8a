import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ResultDoc } from '@kilndb/doc-engine';
import type { FastifyPluginCallback } from 'fastify';
import { Type } from 'typebox';
import { rateLimited } from '../../auth/rate-limit.js';
import type { ServerContext } from '../../context.js';
import { checkCollectionName, checkDocumentKey, checkKeyCount } from '../../limits.js';
import { moltenDoc, readQuery } from '../molten/query.js';
import { GetBody } from '../molten/schemas.js';
import { CollectionParams } from './schemas.js';

// MoltenDB's /get body without `collection` (the path names it): the same properties, unknown ones refused.
const { collection: _collection, ...queryProperties } = GetBody.properties;
const QueryBody = Type.Object(queryProperties, {
  additionalProperties: false,
  description: "MoltenDB's /get body without `collection`; unknown properties are refused by name",
});

const QueryReply = Type.Object({
  documents: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Matching documents with _key and _v (empty when none)' }),
  count: Type.Integer({ description: 'How many documents this page holds' }),
});

/**
 * POST /collections/:c/query: MoltenDB's query language and semantics (those of POST /get, scoped reads
 * included), but always `{documents, count}` with 200: a single key gives a one-item array, no match an
 * empty one.
 */
export const queryRoutes: FastifyPluginCallback<ServerContext> = (fastify, { db, config }, done) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/collections/:c/query',
    {
      config: rateLimited(config),
      schema: { tags: ['REST documents'], summary: 'Query a collection', params: CollectionParams, body: QueryBody, response: { 200: QueryReply } },
    },
    (request, reply) => {
      const { c } = request.params;
      checkCollectionName(c);
      const query = request.body;
      if (query.keys !== undefined) {
        const keys = typeof query.keys === 'string' ? [query.keys] : query.keys;
        checkKeyCount(keys.length, config.maxKeysPerRequest);
        keys.forEach(checkDocumentKey);
      }
      const found = readQuery(request, db.collection(c), query);
      const results: ResultDoc[] = found === undefined ? [] : Array.isArray(found) ? found : [found];
      const documents = results.map((doc) => moltenDoc(doc, true));
      reply.send({ documents, count: documents.length });
    },
  );
  done();
};
