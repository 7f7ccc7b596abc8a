import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http-error.js';
import { allows, authorize, requireAdmin } from './guard.js';
import type { Principal } from './principal.js';
import { scopeGrants, scopeSyntaxError } from './scopes.js';

function principal(...scopes: string[]): Principal {
  return { sub: 'client', jti: 'j', exp: Math.floor(Date.now() / 1000) + 60, scopes };
}

function requestWith(p: Principal | undefined): FastifyRequest {
  return { principal: p } as FastifyRequest;
}

describe('scope matching', () => {
  it('*:*:* grants everything', () => {
    const admin = principal('*:*:*');
    expect(allows(admin, 'read', 'a')).toBe(true);
    expect(allows(admin, 'write', 'b', 'k')).toBe(true);
  });

  it('matches the action exactly: write does not imply read (as MoltenDB)', () => {
    const writer = principal('write:a:*');
    expect(allows(writer, 'write', 'a', 'k')).toBe(true);
    expect(allows(writer, 'read', 'a', 'k')).toBe(false);
    expect(allows(principal('read:a:*'), 'write', 'a', 'k')).toBe(false);
  });

  it('delete (MoltenDB\'s action for /delete) is granted by delete and write scopes, and grants nothing else', () => {
    const deleter = principal('delete:a:*');
    expect(allows(deleter, 'delete', 'a', 'k')).toBe(true);
    expect(allows(deleter, 'write', 'a', 'k')).toBe(false);
    expect(allows(deleter, 'read', 'a', 'k')).toBe(false);
    expect(allows(deleter, 'delete', 'b', 'k')).toBe(false);
    expect(allows(principal('write:a:*'), 'delete', 'a')).toBe(true);
    expect(allows(principal('read:a:*'), 'delete', 'a')).toBe(false);
  });

  it('a * action covers every action on its collection only', () => {
    const both = principal('*:a:*');
    expect(allows(both, 'read', 'a')).toBe(true);
    expect(allows(both, 'write', 'a', 'x')).toBe(true);
    expect(allows(both, 'delete', 'a', 'x')).toBe(true);
    expect(allows(both, 'read', 'b')).toBe(false);
  });

  it('matches the collection exactly or by *', () => {
    expect(allows(principal('read:*:*'), 'read', 'anything', 'k')).toBe(true);
    expect(allows(principal('read:users:*'), 'read', 'users2', 'k')).toBe(false);
    expect(allows(principal('read:users:*'), 'read', 'user', 'k')).toBe(false);
  });

  it('matches keys exactly, by * or by prefix; collection-wide access needs a * key', () => {
    const exact = principal('read:laptops:lp1');
    expect(allows(exact, 'read', 'laptops', 'lp1')).toBe(true);
    expect(allows(exact, 'read', 'laptops', 'lp10')).toBe(false);
    expect(allows(exact, 'read', 'laptops')).toBe(false);
    const prefix = principal('read:laptops:store_A_*');
    expect(allows(prefix, 'read', 'laptops', 'store_A_1')).toBe(true);
    expect(allows(prefix, 'read', 'laptops', 'store_B_1')).toBe(false);
    expect(allows(prefix, 'read', 'laptops')).toBe(false);
    expect(allows(principal('read:laptops:*'), 'read', 'laptops')).toBe(true);
  });

  it('a malformed scope in a token grants nothing', () => {
    expect(scopeGrants('read:a', 'read', 'a', 'k')).toBe(false);
    expect(scopeGrants('read:a:k:extra', 'read', 'a', 'k')).toBe(false);
    expect(allows(principal(), 'read', 'a')).toBe(false);
  });

  it('names what is wrong with a malformed scope', () => {
    expect(scopeSyntaxError('read:a:*')).toBeUndefined();
    expect(scopeSyntaxError('write:*:store_A_*')).toBeUndefined();
    expect(scopeSyntaxError('*:*:*')).toBeUndefined();
    expect(scopeSyntaxError('read:a')).toMatch(/three parts/);
    expect(scopeSyntaxError('delete:a:*')).toBeUndefined();
    expect(scopeSyntaxError('admin:a:*')).toMatch(/action "admin"/);
    expect(scopeSyntaxError('read:a b:*')).toMatch(/collection "a b"/);
    expect(scopeSyntaxError('read:a:')).toMatch(/key ""/);
    expect(scopeSyntaxError('read:a:x*y')).toMatch(/key "x\*y"/);
    expect(scopeSyntaxError('read:store_*:*')).toMatch(/collection "store_\*"/);
  });
});

describe('guard', () => {
  it('authorize: 401 without a principal, 403 without the scope, the principal with it', () => {
    expect(() => authorize(requestWith(undefined), 'read', 'a')).toThrow(expect.objectContaining({ statusCode: 401 }) as HttpError);
    expect(() => authorize(requestWith(principal('read:b:*')), 'read', 'a', 'k')).toThrow(
      expect.objectContaining({ statusCode: 403, message: 'Token lacks read access to a/k' }) as HttpError,
    );
    const reader = principal('read:a:*');
    expect(authorize(requestWith(reader), 'read', 'a', 'k')).toBe(reader);
  });

  it('requireAdmin: 403 for a scoped token, the principal for *:*:*', () => {
    expect(() => requireAdmin(requestWith(principal('read:*:*', 'write:*:*')))).toThrow(
      expect.objectContaining({ statusCode: 403 }) as HttpError,
    );
    const admin = principal('*:*:*');
    expect(requireAdmin(requestWith(admin))).toBe(admin);
  });
});
