import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.js';
import type { Principal, ScopeAction } from './principal.js';
import { ADMIN_SCOPE, scopeGrants, scopeTouches } from './scopes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin from a valid `Authorization: Bearer` token; undefined without one. */
    principal: Principal | undefined;
  }
}

/** The request's principal; 401 without a valid token. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new HttpError(401, 'Missing or invalid token');
  return request.principal;
}

/**
 * May this principal do `action` on `collection` (and `key`, when given)? Without a key the scope must cover
 * the whole collection. Scope matching is described at `scopeGrants`.
 */
export function allows(principal: Principal, action: ScopeAction, collection: string, key?: string): boolean {
  // A loop, not scopes.some(callback): this runs on every request, and the callback was a closure each time.
  for (const scope of principal.scopes) if (scopeGrants(scope, action, collection, key)) return true;
  return false;
}

/** May this principal do `action` on at least some key of `collection`? (A key-scoped token, or more.) */
export function allowsSome(principal: Principal, action: ScopeAction, collection: string): boolean {
  return principal.scopes.some((scope) => scopeTouches(scope, action, collection));
}

/** The principal when it may do `action` on `collection`/`key`; 401 without a token, 403 without the scope. */
export function authorize(request: FastifyRequest, action: ScopeAction, collection: string, key?: string): Principal {
  const principal = principalOf(request);
  if (!allows(principal, action, collection, key)) {
    throw new HttpError(403, `Token lacks ${action} access to ${key === undefined ? collection : `${collection}/${key}`}`);
  }
  return principal;
}

/** The principal when it holds `*:*:*`; 401 without a token, 403 otherwise. */
export function requireAdmin(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (!principal.scopes.includes(ADMIN_SCOPE)) throw new HttpError(403, 'This route needs an admin token (*:*:*)');
  return principal;
}
