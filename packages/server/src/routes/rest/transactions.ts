import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ConflictError, DocumentNotFoundError, type Transaction } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authorize } from '../../auth/guard.js';
import type { ServerContext } from '../../context.js';
import { rateLimited } from '../../auth/rate-limit.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName, checkDocumentKey, checkKeyCount } from '../../limits.js';
import { checkDocumentBody, writeStatus } from './preconditions.js';
import { CollectionName, DocumentKey } from './schemas.js';

const Operation = Type.Object({
  op: Type.Union([Type.Literal('put'), Type.Literal('patch'), Type.Literal('delete')]),
  collection: CollectionName,
  key: DocumentKey,
  doc: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The document (put) or the fields to merge (patch)' })),
  ifVersion: Type.Optional(Type.Integer({ minimum: 0, description: 'Version guard: the version the document must have (0: absent)' })),
}, { additionalProperties: false });

const OperationResult = Type.Object({
  op: Type.String(),
  collection: Type.String(),
  key: Type.String(),
  _v: Type.Union([Type.Integer(), Type.Null()], { description: 'The version after the transaction; null once deleted' }),
  deleted: Type.Optional(Type.Boolean()),
});
const TransactionReply = Type.Object({ status: Type.Literal('ok'), results: Type.Array(OperationResult) });

interface Operation {
  readonly op: 'put' | 'patch' | 'delete';
  readonly collection: string;
  readonly key: string;
  readonly doc?: Record<string, unknown>;
  readonly ifVersion?: number;
}

interface OperationResult {
  op: Operation['op'];
  collection: string;
  key: string;
  _v: number | null;
  deleted?: boolean;
}

/**
 * POST /transactions: several writes, all applied or none. 200 once durable (202 under durability none);
 * 409 when a version guard fails or another commit overtook one of its documents, naming the key; 404 when a
 * patch names an absent document.
 */
export const transactionRoutes: FastifyPluginCallback<ServerContext> = (fastify, { db, config }, done) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/transactions',
    {
      config: rateLimited(config),
      schema: {
        tags: ['REST transactions'],
        summary: 'Apply several writes atomically',
        body: Type.Object({ operations: Type.Array(Operation, { minItems: 1 }) }, { additionalProperties: false }),
        response: { 200: TransactionReply, 202: TransactionReply },
      },
    },
    async (request, reply) => {
      const operations = checkOperations(request, request.body.operations, config.maxKeysPerRequest);
      let results: OperationResult[];
      try {
        results = await db.transaction(async (tx) => {
          const done: OperationResult[] = [];
          for (const operation of operations) done.push(await apply(tx, operation));
          return done;
        });
      } catch (error) {
        throw transactionError(error);
      }
      return reply.code(writeStatus(config, false)).send({ status: 'ok' as const, results });
    },
  );
  done();
};

function checkOperations(request: FastifyRequest, operations: readonly Operation[], maxOperations: number): readonly Operation[] {
  checkKeyCount(operations.length, maxOperations);
  operations.forEach((operation, index) => {
    checkCollectionName(operation.collection);
    checkDocumentKey(operation.key);
    authorize(request, 'write', operation.collection, operation.key);
    if (operation.op === 'delete') {
      if (operation.doc !== undefined) throw new HttpError(400, `operations[${index}]: delete takes no doc`, { index });
    } else {
      if (operation.doc === undefined) throw new HttpError(400, `operations[${index}]: ${operation.op} needs a doc`, { index });
      checkDocumentBody(operation.doc, `operations[${index}].doc`);
    }
  });
  return operations;
}

async function apply(tx: Transaction, operation: Operation): Promise<OperationResult> {
  const { op, collection, key } = operation;
  const handle = tx.collection(collection);
  const guard = operation.ifVersion === undefined ? {} : { expectedVersion: operation.ifVersion };
  switch (op) {
    case 'put':
      return { op, collection, key, _v: (await handle.set(key, operation.doc ?? {}, guard)).version };
    case 'patch':
      return { op, collection, key, _v: (await handle.update(key, operation.doc ?? {}, guard)).version };
    case 'delete':
      return { op, collection, key, _v: null, deleted: await handle.delete(key, guard) };
  }
}

function transactionError(error: unknown): unknown {
  if (error instanceof ConflictError) {
    const current = error.actualVersion === undefined ? undefined : error.actualVersion === 0 ? null : error.actualVersion;
    const what = error.key === undefined ? `collection ${error.collection}` : `${error.collection}/${error.key}`;
    return new HttpError(409, `Transaction conflict on ${what}: nothing was applied`, {
      collection: error.collection,
      ...(error.key === undefined ? {} : { key: error.key }),
      ...(error.expectedVersion === undefined ? {} : { expected: error.expectedVersion }),
      ...(current === undefined ? {} : { current }),
    });
  }
  if (error instanceof DocumentNotFoundError) {
    return new HttpError(404, `Transaction patches ${error.collection}/${error.key}, which does not exist: nothing was applied`, {
      collection: error.collection,
      key: error.key,
    });
  }
  return error;
}
