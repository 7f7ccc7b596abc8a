import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DocumentNotFoundError } from '@kilndb/doc-engine';
import type { FastifyPluginCallback } from 'fastify';
import { Type } from 'typebox';
import { authorize } from '../../auth/guard.js';
import type { ServerContext } from '../../context.js';
import { rateLimited } from '../../auth/rate-limit.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName, checkDocumentKey } from '../../limits.js';
import { checkDocumentBody, expectedVersionOf, guarded, withEtag, writeStatus } from './preconditions.js';
import { DocParams, DocumentBody, versionHeaders, WriteAck } from './schemas.js';

const tags = ['REST documents'];

/** PUT / PATCH / DELETE `/collections/:c/docs/:key` with ETags and If-Match (the GET is a MoltenDB route). */
export const documentRoutes: FastifyPluginCallback<ServerContext> = (fastify, context, done) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = context;
  const limited = rateLimited(config);

  app.put(
    '/collections/:c/docs/:key',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Create or replace a whole document',
        params: DocParams,
        headers: versionHeaders,
        body: DocumentBody,
        response: { 200: WriteAck, 201: WriteAck, 202: WriteAck },
      },
    },
    async (request, reply) => {
      const { c, key } = request.params;
      checkNames(c, key);
      authorize(request, 'write', c, key);
      const doc = checkDocumentBody(request.body, 'The document');
      const collection = db.collection(c);
      const expectedVersion = expectedVersionOf(request, collection, key, true);
      const result = await guarded(c, key, () => collection.set(key, doc, expectedVersion === undefined ? {} : { expectedVersion }));
      return withEtag(reply, result.version)
        .code(writeStatus(config, result.version === 1))
        .send({ key, _v: result.version });
    },
  );

  app.patch(
    '/collections/:c/docs/:key',
    {
      config: limited,
      schema: {
        tags,
        summary: "Merge fields over a document's top level (404 when absent)",
        params: DocParams,
        headers: versionHeaders,
        body: DocumentBody,
        response: { 200: WriteAck, 202: WriteAck },
      },
    },
    async (request, reply) => {
      const { c, key } = request.params;
      checkNames(c, key);
      authorize(request, 'write', c, key);
      const patch = checkDocumentBody(request.body, 'The patch');
      const collection = db.collection(c);
      const expectedVersion = expectedVersionOf(request, collection, key, false);
      const result = await guarded(c, key, () => collection.update(key, patch, expectedVersion === undefined ? {} : { expectedVersion })).catch((error: unknown) => {
        throw error instanceof DocumentNotFoundError ? notFound(c, key) : error;
      });
      return withEtag(reply, result.version).code(writeStatus(config, false)).send({ key, _v: result.version });
    },
  );

  app.delete(
    '/collections/:c/docs/:key',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Delete a document (404 when absent)',
        params: DocParams,
        headers: versionHeaders,
        response: { 200: Type.Object({ key: Type.String(), deleted: Type.Literal(true) }), 202: Type.Object({ key: Type.String(), deleted: Type.Literal(true) }) },
      },
    },
    async (request, reply) => {
      const { c, key } = request.params;
      checkNames(c, key);
      authorize(request, 'write', c, key);
      const collection = db.collection(c);
      const expectedVersion = expectedVersionOf(request, collection, key, false);
      const deleted = await guarded(c, key, () => collection.delete(key, expectedVersion === undefined ? {} : { expectedVersion }));
      if (!deleted) throw notFound(c, key);
      return reply.code(writeStatus(config, false)).send({ key, deleted: true as const });
    },
  );
  done();
};

function checkNames(collection: string, key: string): void {
  checkCollectionName(collection);
  checkDocumentKey(key);
}

function notFound(collection: string, key: string): HttpError {
  return new HttpError(404, `No document ${key} in ${collection}`, { collection, key });
}
