import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';
import { adminRoutes } from './molten/admin.js';
import { readRoutes } from './molten/read.js';
import { systemRoutes } from './molten/system.js';
import { writeRoutes } from './molten/write.js';

/** MoltenDB's routes: /set /update /delete /get /collections /schema /snapshot /stats /system/*. */
export const moltenRoutes: FastifyPluginAsync<ServerContext> = async (app, context) => {
  await app.register(writeRoutes, context);
  await app.register(readRoutes, context);
  await app.register(adminRoutes, context);
  await app.register(systemRoutes, context);
};
