import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { changeRoutes } from './rest/changes.js';
import { documentRoutes } from './rest/documents.js';
import { indexRoutes } from './rest/indexes.js';
import { queryRoutes } from './rest/query.js';
import { transactionRoutes } from './rest/transactions.js';

/**
 * REST with HTTP semantics: documents, queries, indexes, transactions, the SSE change feed.
 *
 * Success statuses: a write answers once it is durable under 'fsync' or 'flush' (PUT 201 created / 200
 * replaced; PATCH, DELETE, POST /transactions 200; POST indexes 201 new / 200 already there), and 202 under
 * 'none', where it is applied but reaches the disk in the background. Errors: 400 bad input (named), 401/403,
 * 404 absent document or index, 409 transaction conflict, 410 compacted change history, 412 stale If-Match
 * or If-None-Match: * on an existing document (`detail.current`: the version now, null when absent).
 */
export const restRoutes: FastifyPluginAsync<ServerContext> = async (app, context) => {
  await app.register(documentRoutes, context);
  await app.register(queryRoutes, context);
  await app.register(indexRoutes, context);
  await app.register(transactionRoutes, context);
  await app.register(changeRoutes, context);
};
