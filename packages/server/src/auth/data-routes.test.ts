import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, delegatedToken } from '../test-support/http.js';
import { rootToken, startTestServer } from '../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** The principal hook and the scope checks as the data routes see them (S1's MoltenDB routes). */
describe('auth on the data routes', () => {
  let server: TestServer;
  let root: string;
  beforeAll(async () => {
    server = await startTestServer();
    root = await rootToken(server.url);
    expect((await call(server.url, 'POST', '/set', { token: root, body: { collection: 'a', data: { k: { n: 1 } } } })).status).toBe(200);
    expect((await call(server.url, 'POST', '/set', { token: root, body: { collection: 'b', data: { k: { n: 2 } } } })).status).toBe(200);
  });
  afterAll(async () => {
    await server.stop();
  });

  const get = (token: string | undefined, collection: string) =>
    call(server.url, 'POST', '/get', { ...(token === undefined ? {} : { token }), body: { collection, keys: 'k' } });

  it('no token: 401 on a data route, while the health check needs none', async () => {
    expect(await get(undefined, 'a')).toMatchObject({ status: 401, body: { error: 'Missing or invalid token', statusCode: 401 } });
    expect((await call(server.url, 'GET', '/system/health')).status).toBe(200);
  });

  it('a bad token is refused on any route, naming why', async () => {
    const [header, payload] = root.split('.');
    const tampered = `${header ?? ''}.${payload ?? ''}.AAAA`;
    expect(await get(tampered, 'a')).toMatchObject({ status: 401, body: { error: 'Token signature is invalid' } });
    expect((await call(server.url, 'GET', '/stats', { token: tampered })).status).toBe(401);
  });

  it('a token reads its collection and gets 403 on another', async () => {
    const reader = await delegatedToken(server.url, root, ['read:a:*']);
    expect(await get(reader, 'a')).toMatchObject({ status: 200, body: { n: 1 } });
    const other = await get(reader, 'b');
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ statusCode: 403 });
  });

  it('write does not imply read, and read does not imply write', async () => {
    const writer = await delegatedToken(server.url, root, ['write:a:*']);
    expect((await call(server.url, 'POST', '/set', { token: writer, body: { collection: 'a', data: { w: { n: 3 } } } })).status).toBe(200);
    expect((await get(writer, 'a')).status).toBe(403);
    const reader = await delegatedToken(server.url, root, ['read:a:*']);
    expect((await call(server.url, 'POST', '/set', { token: reader, body: { collection: 'a', data: { r: { n: 4 } } } })).status).toBe(403);
  });
});
