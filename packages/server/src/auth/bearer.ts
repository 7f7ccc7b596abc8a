import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, HttpError } from '../http-error.js';
import type { AuthService } from './auth-service.js';

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

/**
 * The onRequest hook behind every route: a valid token sets request.principal, no token leaves it undefined
 * (routes that need one answer 401 through principalOf), a bad token is answered 401 here, naming why.
 */
export function principalHook(auth: AuthService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (request.routeOptions.config.publicRoute === true) {
      request.principal = undefined;
      return undefined;
    }
    try {
      const token = bearerToken(request);
      request.principal = token === undefined ? undefined : await auth.verify(token);
      return undefined;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      // Returning the reply after send ends the request here (Fastify's rule for async hooks).
      return reply.code(error.statusCode).send(errorBody(error));
    }
  };
}
