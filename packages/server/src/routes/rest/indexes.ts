import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginCallback } from 'fastify';
import { Type } from 'typebox';
import { authorize, requireAdmin } from '../../auth/guard.js';
import type { ServerContext } from '../../context.js';
import { rateLimited } from '../../auth/rate-limit.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName } from '../../limits.js';
import { writeStatus } from './preconditions.js';
import { CollectionName, CollectionParams } from './schemas.js';

const tags = ['REST indexes'];
const fieldSchema = Type.String({ minLength: 1, maxLength: 256, description: 'A field path (dots reach into nested objects)' });
const IndexList = Type.Object({ collection: Type.String(), indexes: Type.Array(Type.String()) });
const IndexChange = Type.Object({ collection: Type.String(), field: Type.String(), indexes: Type.Array(Type.String()) });

/** Secondary indexes: listed by readers, created and dropped by admins. */
export const indexRoutes: FastifyPluginCallback<ServerContext> = (fastify, { db, config }, done) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const limited = rateLimited(config);

  app.get(
    '/collections/:c/indexes',
    { config: limited, schema: { tags, summary: 'The indexed fields of a collection', params: CollectionParams, response: { 200: IndexList } } },
    (request, reply) => {
      const { c } = request.params;
      checkCollectionName(c);
      authorize(request, 'read', c);
      reply.send({ collection: c, indexes: db.collection(c).indexes() });
    },
  );

  app.post(
    '/collections/:c/indexes',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Index a field (admin): 201 created, 200 when it already was, 202 under durability none',
        params: CollectionParams,
        body: Type.Object({ field: fieldSchema }, { additionalProperties: false }),
        response: { 200: IndexChange, 201: IndexChange, 202: IndexChange },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { c } = request.params;
      checkCollectionName(c);
      const { field } = request.body;
      const collection = db.collection(c);
      const existed = collection.indexes().includes(field);
      if (!existed) await collection.createIndex(field);
      return reply.code(existed ? 200 : writeStatus(config, true)).send({ collection: c, field, indexes: collection.indexes() });
    },
  );

  app.delete(
    '/collections/:c/indexes/:field',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Drop an index (admin); 404 when there is none',
        params: Type.Object({ c: CollectionName, field: fieldSchema }),
        response: { 200: IndexChange, 202: IndexChange },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { c, field } = request.params;
      checkCollectionName(c);
      const collection = db.collection(c);
      if (!(await collection.dropIndex(field))) throw new HttpError(404, `No index on ${field} in ${c}`, { collection: c, field });
      return reply.code(writeStatus(config, false)).send({ collection: c, field, indexes: collection.indexes() });
    },
  );
  done();
};
