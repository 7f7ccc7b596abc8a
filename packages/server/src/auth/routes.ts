import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyPluginCallback } from 'fastify';
import type { ServerContext } from '../context.js';
import { errorBody, HttpError } from '../http-error.js';
import { DEFAULT_DELEGATE_TTL_SEC } from './auth-service.js';
import { principalOf, requireAdmin } from './guard.js';
import { rateLimited } from './rate-limit.js';
import { authErrors, DelegateBody, LoginBody, LoginReply, RevokeParams, RevokeReply, TokenReply } from './schemas.js';
import { ADMIN_SCOPE, scopeSyntaxError } from './scopes.js';

function checkScopes(scopes: readonly string[]): void {
  for (const scope of scopes) {
    const problem = scopeSyntaxError(scope);
    if (problem !== undefined) throw new HttpError(400, `Invalid scope "${scope}": ${problem}`, { scope });
  }
}

/**
 * POST /login, POST /auth/delegate, DELETE /auth/tokens/:jti, POST /auth/refresh, all rate limited. An
 * HttpError thrown here is answered `{error, statusCode}` by this plugin's own handler, so these routes keep
 * MoltenDB's shape on their own; every other error goes up to the app's handler.
 */
export const authRoutes: FastifyPluginCallback<ServerContext> = (base, { auth, config }, done) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send(errorBody(error));
    throw error;
  });
  const limited = rateLimited(config);

  app.post(
    '/login',
    {
      config: { ...limited, publicRoute: true },
      schema: {
        tags: ['Auth'],
        summary: 'Log in as the root user',
        description: 'Answers a token with the admin scope `*:*:*`, living `--root-token-ttl` seconds. Needs no token.',
        security: [],
        body: LoginBody,
        response: { 200: LoginReply, ...authErrors },
      },
    },
    async (request) => {
      const issued = await auth.login(request.body.username, request.body.password);
      if (issued === undefined) throw new HttpError(401, 'Invalid credentials');
      return { token: issued.token };
    },
  );

  app.post(
    '/auth/delegate',
    {
      config: limited,
      schema: {
        tags: ['Auth'],
        summary: 'Mint a scoped token (admin)',
        description: 'Scopes are `action:collection:key`: action read, write or *; collection a name or *; key a key, * or a prefix ending in *.',
        body: DelegateBody,
        response: { 200: TokenReply, ...authErrors },
      },
    },
    async (request) => {
      const caller = requireAdmin(request);
      const { client_id: clientId, scopes, ttl_secs: ttl = DEFAULT_DELEGATE_TTL_SEC } = request.body;
      checkScopes(scopes);
      // As MoltenDB: a delegated admin token may mint scoped tokens, but only root mints admin tokens.
      if (scopes.includes(ADMIN_SCOPE) && caller.sub !== config.rootUser) {
        throw new HttpError(403, `Only the root user can mint '${ADMIN_SCOPE}' (admin) tokens`);
      }
      const issued = await auth.issue(clientId, scopes, ttl);
      return { token: issued.token, client_id: clientId, scopes, jti: issued.jti };
    },
  );

  app.delete(
    '/auth/tokens/:jti',
    {
      config: limited,
      schema: {
        tags: ['Auth'],
        summary: 'Revoke a token by its id (admin)',
        description: 'The revocation is on disk before the answer, and open WebSocket feeds of the token close within seconds.',
        params: RevokeParams,
        response: { 200: RevokeReply, ...authErrors },
      },
    },
    async (request) => {
      requireAdmin(request);
      const { jti } = request.params;
      await auth.revoke(jti);
      // MoltenDB takes the token's `exp` in the body to prune the entry early; it is ignored here, because a
      // wrong one would revive the token once pruned. The entry lives as long as any token can.
      return { revoked: jti, message: 'Token has been revoked successfully' };
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: limited,
      schema: {
        tags: ['Auth'],
        summary: 'Trade a scoped token for a fresh one',
        description: 'Same subject and scopes, one hour; the presented token is revoked. Admin tokens are refused (403): log in again.',
        response: { 200: TokenReply, ...authErrors },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const issued = await auth.refresh(principal, DEFAULT_DELEGATE_TTL_SEC);
      return { token: issued.token, client_id: principal.sub, scopes: [...principal.scopes], jti: issued.jti };
    },
  );
  done();
};
