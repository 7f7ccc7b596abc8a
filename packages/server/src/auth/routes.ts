import type { FastifyError, FastifyPluginCallback } from 'fastify';
import type { ServerContext } from '../context.js';
import { errorBody, HttpError } from '../http-error.js';
import { DEFAULT_DELEGATE_TTL_SEC, MAX_DELEGATE_TTL_SEC } from './auth-service.js';
import { principalOf, requireAdmin } from './guard.js';
import { rateLimited } from './rate-limit.js';
import { scopeSyntaxError } from './scopes.js';

type Body = Record<string, unknown>;

function objectBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'Body must be a JSON object');
  return body as Body;
}

function stringField(body: Body, name: string, maxLength: number): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `"${name}" must be a non-empty string`);
  if (value.length > maxLength) throw new HttpError(400, `"${name}" is longer than ${String(maxLength)} characters`);
  return value;
}

function scopesField(body: Body): string[] {
  const scopes = body['scopes'];
  if (!Array.isArray(scopes) || scopes.length === 0) throw new HttpError(400, '"scopes" must be a non-empty array of scope strings');
  if (scopes.length > 256) throw new HttpError(400, '"scopes" has more than 256 entries');
  return scopes.map((scope, index) => {
    if (typeof scope !== 'string') throw new HttpError(400, `scopes[${String(index)}] is not a string`);
    const problem = scopeSyntaxError(scope);
    if (problem !== undefined) throw new HttpError(400, `Invalid scope "${scope}": ${problem}`, { scope });
    return scope;
  });
}

function ttlField(body: Body): number {
  const ttl = body['ttl_secs'];
  if (ttl === undefined || ttl === null) return DEFAULT_DELEGATE_TTL_SEC;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_DELEGATE_TTL_SEC) {
    throw new HttpError(400, `"ttl_secs" must be an integer from 1 to ${String(MAX_DELEGATE_TTL_SEC)}`);
  }
  return ttl;
}

/**
 * POST /login, POST /auth/delegate, DELETE /auth/tokens/:jti, POST /auth/refresh, all rate limited. Errors
 * here are answered `{error, statusCode}` by this plugin's own handler, so they keep MoltenDB's shape whatever
 * the app-wide handler does; anything that is not a client error goes up to that handler.
 */
export const authRoutes: FastifyPluginCallback<ServerContext> = (app, { auth, config }, done) => {
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send(errorBody(error));
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: error.message, statusCode: status });
    }
    throw error;
  });
  const limited = { config: rateLimited(config) };

  app.post('/login', limited, async (request) => {
    const body = objectBody(request.body);
    const issued = await auth.login(stringField(body, 'username', 1024), stringField(body, 'password', 1024));
    if (issued === undefined) throw new HttpError(401, 'Invalid username or password');
    return { token: issued.token };
  });

  app.post('/auth/delegate', limited, async (request) => {
    requireAdmin(request);
    const body = objectBody(request.body);
    const clientId = stringField(body, 'client_id', 256);
    const scopes = scopesField(body);
    const issued = await auth.issue(clientId, scopes, ttlField(body));
    return { token: issued.token, client_id: clientId, scopes, jti: issued.jti };
  });

  app.delete<{ Params: { jti: string } }>('/auth/tokens/:jti', limited, async (request) => {
    requireAdmin(request);
    const { jti } = request.params;
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(jti)) throw new HttpError(400, 'Token id (jti) must be 1-128 characters of A-Z a-z 0-9 _ . -');
    await auth.revoke(jti);
    return { revoked: jti, message: `Token ${jti} has been revoked` };
  });

  app.post('/auth/refresh', limited, async (request) => {
    const issued = await auth.refresh(principalOf(request), DEFAULT_DELEGATE_TTL_SEC);
    const { sub, scopes } = principalOf(request);
    return { token: issued.token, client_id: sub, scopes, jti: issued.jti };
  });
  done();
};
