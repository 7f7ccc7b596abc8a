import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** GET /ws: MoltenDB's live change feed. (Stub: to be built.) */
export const websocketFeed: FastifyPluginAsync<ServerContext> = async () => {};
