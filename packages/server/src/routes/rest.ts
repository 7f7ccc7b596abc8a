import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { changeRoutes } from './rest/changes.js';
import { documentRoutes } from './rest/documents.js';
import { indexRoutes } from './rest/indexes.js';
import { queryRoutes } from './rest/query.js';
import { transactionRoutes } from './rest/transactions.js';

/** REST with HTTP semantics: documents, queries, indexes, transactions, the SSE change feed. */
export const restRoutes: FastifyPluginAsync<ServerContext> = async (app, context) => {
  await app.register(documentRoutes, context);
  await app.register(queryRoutes, context);
  await app.register(indexRoutes, context);
  await app.register(transactionRoutes, context);
  await app.register(changeRoutes, context);
};
