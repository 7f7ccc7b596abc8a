import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** OpenAPI 3 at /openapi.json and the docs page at /docs. (Stub: to be built.) */
export const openapiPlugin: FastifyPluginAsync<ServerContext> = async () => {};
