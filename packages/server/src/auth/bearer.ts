import { asError } from '@kilndb/wal-format';
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, HttpError } from '../http-error.js';
import type { AuthService } from './auth-service.js';
import type { Principal } from './principal.js';
import { RouteRateLimit } from './rate-limit.js';

/** The token in `Authorization: Bearer <token>`; undefined without the header; HttpError 401 when it is not a bearer token. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (match?.[1] === undefined) throw new HttpError(401, 'Authorization header must be "Bearer <token>"');
  return match[1];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route ignores any bearer token (POST /login: a client holding an expired token must still log in). */
    publicRoute?: boolean;
  }
}

/** What the request hook needs to know of a route, worked out at its first request. */
interface RouteGate {
  readonly publicRoute: boolean;
  readonly limit: RouteRateLimit | undefined;
}

type Done = (error?: Error) => void;

/** Answers a bad token 401 here: sending without calling done ends the request (Fastify's rule for callback hooks). */
function refuse(error: unknown, reply: FastifyReply, done: Done): void {
  if (error instanceof HttpError) void reply.code(error.statusCode).send(errorBody(error));
  else done(asError(error));
}

/**
 * The one onRequest hook behind every route, in this order: the bearer token (a valid one sets
 * request.principal, none leaves it undefined for routes to answer 401 through principalOf, a bad one is
 * answered 401 here, naming why), then the route's rate limit (429), as the token hook and
 * @fastify/rate-limit's route hook ran before. Callback style with a synchronous path for a token verified
 * before: a promise per request costs a GET more than the work it waits for.
 */
export function requestHook(auth: AuthService) {
  // Route configs are one object per route: the gate (and the route's own counters) hang off it.
  const gates = new WeakMap<FastifyContextConfig, RouteGate>();
  const gateOf = (config: FastifyContextConfig): RouteGate => {
    let gate = gates.get(config);
    if (gate === undefined) {
      const limit = config.rateLimit;
      gate = { publicRoute: config.publicRoute === true, limit: limit === undefined ? undefined : new RouteRateLimit(limit.max, limit.timeWindow) };
      gates.set(config, gate);
    }
    return gate;
  };

  const limit = (request: FastifyRequest, reply: FastifyReply, gate: RouteGate, done: Done): void => {
    const refused = gate.limit?.hit(request.ip, reply, Date.now());
    if (refused === undefined) done();
    else done(refused);
  };

  return (request: FastifyRequest, reply: FastifyReply, done: Done): void => {
    request.principal = undefined;
    const gate = gateOf(request.routeOptions.config);
    if (gate.publicRoute) {
      limit(request, reply, gate, done);
      return;
    }
    let token: string | undefined;
    let known: Principal | undefined;
    try {
      token = bearerToken(request);
      known = token === undefined ? undefined : auth.verifiedBefore(token);
    } catch (error) {
      refuse(error, reply, done);
      return;
    }
    if (token === undefined || known !== undefined) {
      request.principal = known;
      limit(request, reply, gate, done);
      return;
    }
    auth.verify(token).then((principal) => {
      request.principal = principal;
      limit(request, reply, gate, done);
    }, (error: unknown) => {
      refuse(error, reply, done);
    });
  };
}
