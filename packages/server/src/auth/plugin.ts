import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ServerContext } from '../context.js';
import { requestHook } from './bearer.js';
import './guard.js';
import { authRoutes } from './routes.js';

const auth: FastifyPluginAsync<ServerContext> = async (app, context) => {
  app.decorateRequest('principal', undefined);
  // Registered here, in a plugin without encapsulation, so the hook reaches every route.
  app.addHook('onRequest', requestHook(context.auth));
  await app.register(authRoutes, context);
};

/** Sets request.principal from a bearer token and applies the routes' rate limits on every route; /login and the /auth token routes. */
export const authPlugin = fastifyPlugin(auth, { name: 'kilndb-auth', fastify: '5.x' });
