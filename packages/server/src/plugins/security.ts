import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** Security headers (helmet) and CORS. (Stub: to be built.) */
export const securityPlugin: FastifyPluginAsync<ServerContext> = async () => {};
