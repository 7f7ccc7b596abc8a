import type { ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import type { FastifyPluginAsync } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { ServerContext } from '../context.js';

/**
 * The headers helmet's middleware sets for `options`, computed once: helmet builds its policy objects on
 * every call, which cost a tenth of a simple request's CPU when run per request.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      Reflect.deleteProperty(headers, name.toLowerCase());
    },
  };
  // helmet's middleware reads nothing from the request for these options; it only sets and removes headers.
  helmet(options)({} as never, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

const security: FastifyPluginAsync<ServerContext> = async (app, { config }) => {
  const tls = config.tls !== undefined;
  // Pages (the console, /docs and their assets) get helmet's defaults: a same-origin CSP (they load only
  // their own scripts), frame denial, no referrer leaks. Without TLS, upgrade-insecure-requests would send
  // the pages' assets to an https port that does not exist (anywhere but localhost), so it is left out.
  const pageHeaders = helmetHeaders({
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': tls ? [] : null } },
    strictTransportSecurity: tls,
  });
  // JSON answers are never rendered, so they carry the few headers that matter for an API: no sniffing
  // into HTML, a CSP that allows nothing, no embedding, no referrer, and HSTS over TLS.
  const apiHeaders = helmetHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: tls,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  // As [name, value] pairs: reply.headers(object) lists the object's keys on every call.
  const apiPairs = Object.entries(apiHeaders);
  const pagePairs = Object.entries(pageHeaders);
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    for (const [name, value] of typeof type === 'string' && type.startsWith('application/json') ? apiPairs : pagePairs) reply.header(name, value);
    done(null, payload);
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

/** Security headers on every answer (helmet's policy, a lean set for JSON) and CORS for `config.corsOrigins`. */
export const securityPlugin = fastifyPlugin(security, { name: 'kilndb-security', fastify: '5.x' });
