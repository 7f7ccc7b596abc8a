import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { ServerContext } from '../context.js';

const openapi: FastifyPluginAsync<ServerContext> = async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'KilnDB',
        description: "KilnDB's HTTP API: MoltenDB's routes, REST with HTTP semantics, auth and system routes.",
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  // staticCSP: the page's own CSP allows only its bundled scripts and styles, which also fit helmet's default.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
};

/** OpenAPI 3 at /openapi.json (built from the route schemas) and the Swagger UI page at /docs. */
export const openapiPlugin = fastifyPlugin(openapi, { name: 'kilndb-openapi', fastify: '5.x' });
