import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_SECRET, rootToken, startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const secret = new TextEncoder().encode(JWT_SECRET);

async function call(url: string, method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('token routes and the auth matrix', () => {
  let server: TestServer;
  let root: string;
  const delegate = (token: string | undefined, body: unknown) => call(server.url, 'POST', '/auth/delegate', token, body);
  // /auth/delegate is the protected route of the matrix: it needs a valid admin token.
  const probe = (token: string | undefined) => delegate(token, { client_id: 'probe', scopes: ['read:a:*'] });

  beforeAll(async () => {
    server = await startTestServer();
    root = await rootToken(server.url);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('delegates a scoped token carrying client_id, scopes and ttl_secs', async () => {
    const { status, body } = await delegate(root, { client_id: 'svc', scopes: ['read:laptops:*', 'write:laptops:lp_*'], ttl_secs: 120 });
    expect(status).toBe(200);
    expect(body).toMatchObject({ client_id: 'svc', scopes: ['read:laptops:*', 'write:laptops:lp_*'] });
    const claims = decodeJwt(body['token'] as string);
    expect(claims).toMatchObject({ sub: 'svc', scopes: ['read:laptops:*', 'write:laptops:lp_*'], jti: body['jti'] });
    expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
    expect(claims.exp).toBeGreaterThan(Math.floor(Date.now() / 1000) + 100);
  });

  it('answers 400 naming a malformed scope, client_id or ttl_secs', async () => {
    const badScope = await delegate(root, { client_id: 'svc', scopes: ['read:a:*', 'drop:a:*'] });
    expect(badScope.status).toBe(400);
    expect(badScope.body['error']).toMatch(/Invalid scope "drop:a:\*": action "drop"/);
    expect((await delegate(root, { client_id: '', scopes: ['read:a:*'] })).body['error']).toMatch(/client_id/);
    expect((await delegate(root, { client_id: 'c', scopes: [] })).body['error']).toMatch(/scopes/);
    const ttl = await delegate(root, { client_id: 'c', scopes: ['read:a:*'], ttl_secs: -5 });
    expect(ttl.status).toBe(400);
    expect(ttl.body['error']).toMatch(/ttl_secs/);
  });

  it('only root mints admin tokens; a delegated admin token may mint scoped ones (as MoltenDB)', async () => {
    const ops = (await delegate(root, { client_id: 'ops', scopes: ['*:*:*'] })).body['token'] as string;
    const minted = await delegate(ops, { client_id: 'svc', scopes: ['read:a:*'] });
    expect(minted.status).toBe(200);
    const escalated = await delegate(ops, { client_id: 'svc', scopes: ['*:*:*'] });
    expect(escalated.status).toBe(403);
    expect(escalated.body['error']).toMatch(/Only the root user/);
  });

  it('no token: 401', async () => {
    expect(await probe(undefined)).toEqual({ status: 401, body: { error: 'Missing or invalid token', statusCode: 401 } });
  });

  it('wrong scope: 403', async () => {
    const scoped = (await delegate(root, { client_id: 'reader', scopes: ['read:*:*'] })).body['token'] as string;
    const answer = await probe(scoped);
    expect(answer.status).toBe(403);
    expect(answer.body['error']).toMatch(/admin/);
    expect((await call(server.url, 'DELETE', '/auth/tokens/some-id', scoped)).status).toBe(403);
  });

  it('expired: 401 naming expiry', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ scopes: ['*:*:*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('root')
      .setJti('expired-1')
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .sign(secret);
    expect(await probe(expired)).toEqual({ status: 401, body: { error: 'Token has expired', statusCode: 401 } });
  });

  it('tampered payload or signature: 401 naming the signature', async () => {
    const scoped = (await delegate(root, { client_id: 'reader', scopes: ['read:a:*'] })).body['token'] as string;
    const [header = '', payload = '', signature = ''] = scoped.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const elevated = `${header}.${base64url({ ...claims, scopes: ['*:*:*'] })}.${signature}`;
    expect(await probe(elevated)).toEqual({ status: 401, body: { error: 'Token signature is invalid', statusCode: 401 } });
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect((await probe(flipped)).body['error']).toBe('Token signature is invalid');
    const otherSecret = await new SignJWT({ scopes: ['*:*:*'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('root')
      .setJti('forged')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-0000'));
    expect((await probe(otherSecret)).status).toBe(401);
  });

  it('alg none or another algorithm: 401 naming the algorithm', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const none = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'root', exp, jti: 'n', scopes: ['*:*:*'] })}.`;
    expect(await probe(none)).toEqual({ status: 401, body: { error: 'Token algorithm is not allowed (HS256 only)', statusCode: 401 } });
    const hs512 = await new SignJWT({ scopes: ['*:*:*'] })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('root')
      .setJti('hs512')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET.repeat(2)));
    expect((await probe(hs512)).body['error']).toBe('Token algorithm is not allowed (HS256 only)');
  });

  it('a token without jti is refused (it could never be revoked)', async () => {
    const noJti = await new SignJWT({ scopes: ['*:*:*'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('root').setExpirationTime('1h').sign(secret);
    expect((await probe(noJti)).body['error']).toBe('Token has no token id (jti)');
  });

  it('revoked: 401 after DELETE /auth/tokens/:jti, which answers {revoked, message}', async () => {
    const issued = (await delegate(root, { client_id: 'admin2', scopes: ['*:*:*'] })).body;
    const token = issued['token'] as string;
    expect((await probe(token)).status).toBe(200);
    const revoked = await call(server.url, 'DELETE', `/auth/tokens/${String(issued['jti'])}`, root);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revoked: issued['jti'], message: 'Token has been revoked successfully' });
    expect(await probe(token)).toEqual({ status: 401, body: { error: 'Token has been revoked', statusCode: 401 } });
    expect((await call(server.url, 'DELETE', '/auth/tokens/bad%20id', root)).status).toBe(400);
  });

  it('refresh: a scoped token gets a new one with the same scopes, and the old one is revoked', async () => {
    const old = (await delegate(root, { client_id: 'svc', scopes: ['read:a:*', 'write:a:k'] })).body['token'] as string;
    const refreshed = await call(server.url, 'POST', '/auth/refresh', old);
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.body['token'] as string;
    expect(decodeJwt(fresh)).toMatchObject({ sub: 'svc', scopes: ['read:a:*', 'write:a:k'], jti: refreshed.body['jti'] });
    expect(decodeJwt(fresh).jti).not.toBe(decodeJwt(old).jti);
    expect((await call(server.url, 'POST', '/auth/refresh', old)).body).toEqual({ error: 'Token has been revoked', statusCode: 401 });
    // The new token works: it can itself be refreshed.
    expect((await call(server.url, 'POST', '/auth/refresh', fresh)).status).toBe(200);
  });

  it('refresh refuses an admin token (403, as MoltenDB) and a missing one (401)', async () => {
    const admin = await call(server.url, 'POST', '/auth/refresh', root);
    expect(admin.status).toBe(403);
    expect(admin.body['error']).toMatch(/Admin tokens/);
    expect((await probe(root)).status).toBe(200);
    expect((await call(server.url, 'POST', '/auth/refresh')).status).toBe(401);
  });
});
