import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ServerContext } from '../context.js';

const security: FastifyPluginAsync<ServerContext> = async (app, { config }) => {
  // Helmet's defaults: a same-origin CSP (the /docs page and the console load only their own scripts),
  // HSTS, nosniff, frame denial, no referrer leaks. Without TLS, upgrade-insecure-requests would send the
  // pages' own assets to an https port that does not exist (anywhere but localhost), so it is left out.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': config.tls === undefined ? null : [] } },
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Last-Event-ID'],
      exposedHeaders: ['ETag', 'Location'],
      maxAge: 600,
    });
  }
};

/** Security headers on every answer and CORS for `config.corsOrigins` (none when the list is empty). */
export const securityPlugin = fastifyPlugin(security, { name: 'kilndb-security', fastify: '5.x' });
