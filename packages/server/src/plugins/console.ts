import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** Serves KilnDB Studio's built assets from config.staticDir. (Stub: to be built.) */
export const consolePlugin: FastifyPluginAsync<ServerContext> = async () => {};
