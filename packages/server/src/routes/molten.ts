import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** MoltenDB's routes: /set /update /delete /get /collections /schema /snapshot /stats /system/health. (Stub: to be built.) */
export const moltenRoutes: FastifyPluginAsync<ServerContext> = async () => {};
