import type { Database } from '@kilndb/doc-engine';
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { authPlugin } from './auth/plugin.js';
import { AuthService } from './auth/auth-service.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { consolePlugin } from './plugins/console.js';
import { errorsPlugin } from './plugins/errors.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openapiPlugin } from './plugins/openapi.js';
import { securityPlugin } from './plugins/security.js';
import { moltenRoutes } from './routes/molten.js';
import { restRoutes } from './routes/rest.js';
import { websocketFeed } from './ws/feed.js';
import { WriteTurn } from './write-turn.js';

/** The Fastify app over an open database: one plugin per concern, registered in dependency order. */
export async function buildApp(db: Database, config: ServerConfig): Promise<FastifyInstance> {
  const requestLogging = config.logLevel === 'debug' || config.logLevel === 'trace';
  const app = Fastify({
    logger: { level: config.logLevel },
    // Two log lines per request cost more than a key lookup; they come with --log-level debug or trace.
    logController: new LogController({ disableRequestLogging: !requestLogging }),
    // Without request logging, a child logger per request (to bind its id) is work for nothing: the one
    // request-scoped log line, a failed request's, names the id itself.
    childLoggerFactory: (logger, bindings, options) => (requestLogging ? logger.child(bindings, options) : logger),
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    ...(config.tls === undefined ? {} : { https: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } }),
  });
  const context: ServerContext = { db, config, auth: await AuthService.open(config), writes: new WriteTurn() };
  await app.register(errorsPlugin, context);
  await app.register(securityPlugin, context);
  await app.register(openapiPlugin, context);
  await app.register(metricsPlugin, context);
  await app.register(authPlugin, context);
  await app.register(moltenRoutes, context);
  await app.register(restRoutes, context);
  await app.register(websocketFeed, context);
  await app.register(consolePlugin, context);
  return app;
}
