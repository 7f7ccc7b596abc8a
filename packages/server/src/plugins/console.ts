import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';

// First path segments that belong to the API: a miss there is a JSON 404, never the console's page.
const API_PREFIXES: ReadonlySet<string> = new Set([
  'set', 'update', 'delete', 'get', 'collections', 'schema', 'snapshot', 'stats', 'system', 'auth', 'login',
  'ws', 'metrics', 'openapi.json', 'docs', 'transactions',
]);

/** A browser navigating to a client-side route: wants HTML, outside the API, not a file name. */
function isPageNavigation(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  const [first = ''] = path.split('/').slice(1);
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !API_PREFIXES.has(first) && !last.includes('.') && (request.headers.accept ?? '').includes('text/html');
}

/** Serves KilnDB Studio's built assets from config.staticDir at `/`, with index.html for client-side routes. */
export const consolePlugin: FastifyPluginAsync<ServerContext> = async (app, { config }) => {
  const root = config.staticDir;
  if (root === undefined) return;
  // wildcard: false serves exactly the files present at start (a built app), so anything else reaches the
  // fallback below.
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: ['index.html'] });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    if (isPageNavigation(request)) return reply.sendFile('index.html');
    reply.callNotFound();
    return reply;
  });
};
