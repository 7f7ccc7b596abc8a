import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ServerContext } from '../context.js';
import { principalHook } from './bearer.js';
import './guard.js';
import { registerRateLimit } from './rate-limit.js';
import { authRoutes } from './routes.js';

const auth: FastifyPluginAsync<ServerContext> = async (app, context) => {
  app.decorateRequest('principal', undefined);
  // Registered here, in a plugin without encapsulation, so the hook and the rate limiter reach every route.
  await registerRateLimit(app, context.config);
  app.addHook('onRequest', principalHook(context.auth));
  await app.register(authRoutes, context);
};

/** Sets request.principal from a bearer token on every route; /login and the /auth token routes; the rate limiter. */
export const authPlugin = fastifyPlugin(auth, { name: 'kilndb-auth', fastify: '5.x' });
