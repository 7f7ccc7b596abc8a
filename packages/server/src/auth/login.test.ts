import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ROOT_PASSWORD, ROOT_USER, rootToken, startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

async function login(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /login', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rootTokenTtlSec: 600 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers a root token signed HS256 with sub, exp from rootTokenTtlSec, admin scope and a jti', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await login(server.url, { username: ROOT_USER, password: ROOT_PASSWORD });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['token']);
    const token = body['token'] as string;
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(ROOT_USER);
    expect(claims['scopes']).toEqual(['*:*:*']);
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp).toBeGreaterThanOrEqual(before + 600);
    expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
  });

  it('gives each login its own jti', async () => {
    const [a, b] = await Promise.all([rootToken(server.url), rootToken(server.url)]);
    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
  });

  it('answers 401 {error} for a wrong password or user name', async () => {
    for (const credentials of [
      { username: ROOT_USER, password: 'wrong' },
      { username: 'admin', password: ROOT_PASSWORD },
    ]) {
      const { status, body } = await login(server.url, credentials);
      expect(status).toBe(401);
      expect(body['error']).toBe('Invalid credentials');
      expect(body['token']).toBeUndefined();
    }
  });

  it('ignores a stale bearer token sent along (a client whose token expired must be able to log in again)', async () => {
    const response = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
      body: JSON.stringify({ username: ROOT_USER, password: ROOT_PASSWORD }),
    });
    expect(response.status).toBe(200);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const missing = await login(server.url, { username: ROOT_USER });
    expect(missing.status).toBe(400);
    expect(missing.body['error']).toMatch(/'password'/);
    const notObject = await login(server.url, ['root']);
    expect(notObject.status).toBe(400);
    expect(notObject.body['error']).toMatch(/body/i);
  });

  it('sets the principal from a valid token and answers 401 naming why for a malformed header', async () => {
    const token = await rootToken(server.url);
    const ok = await fetch(`${server.url}/auth/delegate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'c', scopes: ['read:a:*'] }),
    });
    expect(ok.status).toBe(200);
    const basic = await fetch(`${server.url}/auth/delegate`, { method: 'POST', headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toEqual({ error: 'Authorization header must be "Bearer <token>"', statusCode: 401 });
  });
});
