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
  // The page loads only its own bundled scripts, so helmet's CSP (no inline scripts) holds for it as for every
  // route; its own staticCSP would forbid the inline styles it sets.
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
};

/** OpenAPI 3 at /openapi.json (built from the route schemas) and the Swagger UI page at /docs. */
export const openapiPlugin = fastifyPlugin(openapi, { name: 'kilndb-openapi', fastify: '5.x' });
