import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../http-error.js';

/** The route `config` that puts a route under the rate limit: `{ config: rateLimited(context.config) }`. */
export function rateLimited(config: ServerConfig): { rateLimit: { max: number; timeWindow: number } } {
  return { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } };
}

/**
 * Registers @fastify/rate-limit for the routes that opt in (`global: false`, so /ws and the rest are not
 * throttled). The key is `request.ip`: the socket address, or the `X-Forwarded-For` client only when Fastify
 * was built with `trustProxy`, so a client cannot pick a new key per request by sending the header itself.
 */
export async function registerRateLimit(app: FastifyInstance, config: ServerConfig): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: (request) => request.ip,
    // The x-ratelimit-* headers go on 429 answers only (with retry-after): on every answer they cost a
    // tenth of a small GET's throughput here, and a client under the limit has no use for them.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, `Rate limit exceeded: ${String(context.max)} requests per ${context.after}; retry later`),
  });
}
