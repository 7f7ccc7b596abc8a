import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { QueryInput, ResultDoc } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { allows, authorize, principalOf } from '../../auth/guard.js';
import type { ServerContext } from '../../context.js';
import { rateLimited } from '../../auth/rate-limit.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName, checkDocumentKey, checkKeyCount } from '../../limits.js';
import { CollectionParams } from './schemas.js';

const QueryBody = Type.Object(
  {
    keys: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    where: Type.Optional(Type.Unknown({ description: 'Conditions (ANDed), or an array of them' })),
    fields: Type.Optional(Type.Array(Type.String())),
    excludedFields: Type.Optional(Type.Array(Type.String())),
    joins: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Object({ from: Type.String(), on: Type.String(), fields: Type.Optional(Type.Array(Type.String())) })))),
    sort: Type.Optional(Type.Array(Type.Object({ field: Type.String(), order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])) }))),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false, description: "MoltenDB's /get body without `collection`; unknown properties are refused by name" },
);

const QueryReply = Type.Object({
  documents: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Matching documents with _key and _v (empty when none)' }),
  count: Type.Integer({ description: 'How many documents this page holds' }),
});

/** POST /collections/:c/query: MoltenDB's query language without `collection`; always `{documents, count}`. */
export const queryRoutes: FastifyPluginCallback<ServerContext> = (fastify, { db, config }, done) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/collections/:c/query',
    { config: rateLimited(config), schema: { tags: ['REST documents'], summary: 'Query a collection', params: CollectionParams, body: QueryBody, response: { 200: QueryReply } } },
    (request, reply) => {
      const { c } = request.params;
      checkCollectionName(c);
      const query = request.body as QueryInput;
      if (query.keys !== undefined) {
        const keys = typeof query.keys === 'string' ? [query.keys] : query.keys;
        checkKeyCount(keys.length, config.maxKeysPerRequest);
        keys.forEach(checkDocumentKey);
      }
      authorizeQuery(request, c, query);
      const collection = db.collection(c);
      let documents: ResultDoc[];
      if (typeof query.keys === 'string') {
        const one = collection.find({ ...query, keys: query.keys });
        documents = one === undefined ? [] : [one];
      } else documents = collection.find(query);
      reply.send({ documents, count: documents.length });
    },
  );
  done();
};

/** Read access to what the query reads: the keys it names (or the whole collection), and every joined collection. */
function authorizeQuery(request: FastifyRequest, collection: string, query: QueryInput): void {
  const keys = query.keys;
  if (keys === undefined || query.where !== undefined) authorize(request, 'read', collection);
  else {
    const principal = principalOf(request);
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      if (!allows(principal, 'read', collection, key)) throw new HttpError(403, `Token lacks read access to ${collection}/${key}`);
    }
  }
  for (const join of query.joins ?? []) {
    for (const spec of Object.values(join)) authorize(request, 'read', spec.from);
  }
}
