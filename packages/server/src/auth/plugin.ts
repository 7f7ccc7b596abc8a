import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** Sets request.principal from a bearer token; /login and the /auth token routes; rate limits. (Stub: to be built.) */
export const authPlugin: FastifyPluginAsync<ServerContext> = async () => {};
