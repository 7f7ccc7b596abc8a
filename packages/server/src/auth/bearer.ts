import { asError } from '@kilndb/wal-format';
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
  // Callback style with a synchronous path for a token verified before: a promise per request costs a GET
  // more than the cache lookup it waits for.
  return (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    request.principal = undefined;
    if (request.routeOptions.config.publicRoute === true) {
      done();
      return;
    }
    const refuse = (error: unknown): void => {
      if (!(error instanceof HttpError)) {
        done(asError(error));
        return;
      }
      // Sending without calling done ends the request here (Fastify's rule for callback hooks).
      void reply.code(error.statusCode).send(errorBody(error));
    };
    let token: string | undefined;
    try {
      token = bearerToken(request);
      if (token === undefined) {
        done();
        return;
      }
      const known = auth.verifiedBefore(token);
      if (known !== undefined) {
        request.principal = known;
        done();
        return;
      }
    } catch (error) {
      refuse(error);
      return;
    }
    auth.verify(token).then((principal) => {
      request.principal = principal;
      done();
    }, refuse);
  };
}
