import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** REST with HTTP semantics: documents, queries, indexes, transactions, the SSE change feed. (Stub: to be built.) */
export const restRoutes: FastifyPluginAsync<ServerContext> = async () => {};
