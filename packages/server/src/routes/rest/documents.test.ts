import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, scopedToken, startRestServer, type TestServer } from './test-support/http.js';

describe('PUT / PATCH / DELETE /collections/:c/docs/:key', () => {
  let server: TestServer;
  let root: ReturnType<typeof api>;
  let token: string;
  beforeAll(async () => {
    ({ server, root, token } = await startRestServer());
  });
  afterAll(async () => {
    await server.stop();
  });

  it('PUT creates with 201 and replaces with 200, the ETag carrying _v', async () => {
    const created = await root('PUT', '/collections/users/docs/ada', { name: 'Ada', born: 1815 });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toEqual({ key: 'ada', _v: 1 });

    const replaced = await root('PUT', '/collections/users/docs/ada', { name: 'Ada Lovelace' });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    expect(replaced.body).toEqual({ key: 'ada', _v: 2 });
    // A whole replacement: `born` is gone.
    expect(server.db.collection('users').get('ada')).toEqual({ _key: 'ada', _v: 2, name: 'Ada Lovelace' });
  });

  it('refuses fields starting with _ and bodies that are not objects, naming the problem', async () => {
    const reserved = await root('PUT', '/collections/users/docs/bad', { name: 'x', _v: 3 });
    expect(reserved.status).toBe(400);
    expect(reserved.body).toMatchObject({ statusCode: 400, detail: { field: '_v' } });
    expect((reserved.body as { error: string }).error).toContain("'_v'");
    const array = await root('PUT', '/collections/users/docs/bad', [1, 2]);
    expect(array.status).toBe(400);
    expect(server.db.collection('users').get('bad')).toBeUndefined();
  });

  it('refuses bad collection names and keys with 400', async () => {
    expect((await root('PUT', '/collections/bad%20name/docs/k', { a: 1 })).status).toBe(400);
    expect((await root('PUT', '/collections/users/docs/has%20space', { a: 1 })).status).toBe(400);
    expect((await root('PUT', '/collections/users/docs/constructor', { a: 1 })).status).toBe(400);
    expect((await root('PUT', '/collections/__proto__/docs/k', { a: 1 })).status).toBe(400);
  });

  it('If-Match: a stale version answers 412 with the current one and writes nothing', async () => {
    await root('PUT', '/collections/guarded/docs/g', { n: 1 });
    const stale = await root('PUT', '/collections/guarded/docs/g', { n: 2 }, { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ statusCode: 412, detail: { current: 1 } });
    expect(typeof (stale.body as { error: unknown }).error).toBe('string');
    expect(server.db.collection('guarded').get('g')).toMatchObject({ _v: 1, n: 1 });

    const fresh = await root('PUT', '/collections/guarded/docs/g', { n: 2 }, { 'if-match': '"1"' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"2"');

    const patchStale = await root('PATCH', '/collections/guarded/docs/g', { m: 1 }, { 'if-match': '"1"' });
    expect(patchStale.status).toBe(412);
    expect(patchStale.body).toMatchObject({ detail: { current: 2 } });

    const deleteStale = await root('DELETE', '/collections/guarded/docs/g', undefined, { 'if-match': '"1"' });
    expect(deleteStale.status).toBe(412);
    expect(server.db.collection('guarded').get('g')).toMatchObject({ _v: 2, n: 2 });
  });

  it('If-Match on an absent document is 412 with current null; * matches any existing version', async () => {
    const absent = await root('PUT', '/collections/guarded/docs/none', { n: 1 }, { 'if-match': '"1"' });
    expect(absent.status).toBe(412);
    expect(absent.body).toMatchObject({ detail: { current: null } });
    const starAbsent = await root('PUT', '/collections/guarded/docs/none', { n: 1 }, { 'if-match': '*' });
    expect(starAbsent.status).toBe(412);

    await root('PUT', '/collections/guarded/docs/star', { n: 1 });
    const star = await root('PUT', '/collections/guarded/docs/star', { n: 2 }, { 'if-match': '*' });
    expect(star.status).toBe(200);
    const list = await root('PATCH', '/collections/guarded/docs/star', { m: 1 }, { 'if-match': '"9", "2"' });
    expect(list.status).toBe(200);
    expect(list.headers.get('etag')).toBe('"3"');
  });

  it('If-None-Match: * creates only', async () => {
    const first = await root('PUT', '/collections/once/docs/k', { n: 1 }, { 'if-none-match': '*' });
    expect(first.status).toBe(201);
    const second = await root('PUT', '/collections/once/docs/k', { n: 2 }, { 'if-none-match': '*' });
    expect(second.status).toBe(412);
    expect(second.body).toMatchObject({ detail: { current: 1 } });
    expect(server.db.collection('once').get('k')).toMatchObject({ n: 1 });
  });

  it('If-Match compares strongly: a weak tag never matches (412), and is skipped in a list', async () => {
    await root('PUT', '/collections/weak/docs/w', { n: 1 });
    const weak = await root('PUT', '/collections/weak/docs/w', { n: 2 }, { 'if-match': 'W/"1"' });
    expect(weak.status).toBe(412);
    expect(weak.body).toMatchObject({ detail: { current: 1 } });
    expect(server.db.collection('weak').get('w')).toMatchObject({ n: 1 });
    const mixed = await root('PUT', '/collections/weak/docs/w', { n: 3 }, { 'if-match': 'W/"1", "1"' });
    expect(mixed.status).toBe(200);
    expect(mixed.headers.get('etag')).toBe('"2"');
  });

  it('answers 400 for malformed preconditions', async () => {
    const badTag = await root('PUT', '/collections/once/docs/k', { n: 1 }, { 'if-match': 'V/"1"' });
    expect(badTag.status).toBe(400);
    expect(badTag.body).toMatchObject({ detail: { header: 'if-match' } });
    expect((await root('PUT', '/collections/once/docs/k', { n: 1 }, { 'if-none-match': '"1"' })).status).toBe(400);
    expect((await root('PATCH', '/collections/once/docs/k', { n: 1 }, { 'if-none-match': '*' })).status).toBe(400);
    expect((await root('PUT', '/collections/once/docs/k', { n: 1 }, { 'if-match': '"1"', 'if-none-match': '*' })).status).toBe(400);
  });

  it('PATCH merges top-level fields (200) and is 404 for an absent document', async () => {
    await root('PUT', '/collections/patched/docs/p', { a: 1, nested: { x: 1 } });
    const merged = await root('PATCH', '/collections/patched/docs/p', { b: 2, nested: { y: 2 } });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ key: 'p', _v: 2 });
    expect(merged.headers.get('etag')).toBe('"2"');
    expect(server.db.collection('patched').get('p')).toEqual({ _key: 'p', _v: 2, a: 1, b: 2, nested: { y: 2 } });

    const missing = await root('PATCH', '/collections/patched/docs/nobody', { b: 2 });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, detail: { collection: 'patched', key: 'nobody' } });
    expect(server.db.collection('patched').get('nobody')).toBeUndefined();
  });

  it('DELETE answers 200 once, then 404', async () => {
    await root('PUT', '/collections/gone/docs/d', { a: 1 });
    const deleted = await root('DELETE', '/collections/gone/docs/d', undefined, { 'if-match': '"1"' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ key: 'd', deleted: true });
    expect(server.db.collection('gone').get('d')).toBeUndefined();
    const again = await root('DELETE', '/collections/gone/docs/d');
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ statusCode: 404 });
  });

  it('needs a token (401) and the write scope on the key (403)', async () => {
    const anonymous = api(server.url);
    expect((await anonymous('PUT', '/collections/users/docs/x', { a: 1 })).status).toBe(401);
    const reader = api(server.url, await scopedToken(server, token, ['read:users:*', 'write:users:mine']));
    const denied = await reader('PUT', '/collections/users/docs/x', { a: 1 });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ statusCode: 403 });
    expect((await reader('DELETE', '/collections/users/docs/ada')).status).toBe(403);
    expect((await reader('PUT', '/collections/users/docs/mine', { a: 1 })).status).toBe(201);
    expect(server.db.collection('users').get('x')).toBeUndefined();
  });
});

describe('writes under durability none', () => {
  let server: TestServer;
  let root: ReturnType<typeof api>;
  beforeAll(async () => {
    ({ server, root } = await startRestServer({ durability: 'none' }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answer 202 (accepted, not yet durable) with the ETag, and the write is visible', async () => {
    const put = await root('PUT', '/collections/fast/docs/k', { a: 1 });
    expect(put.status).toBe(202);
    expect(put.headers.get('etag')).toBe('"1"');
    expect(put.body).toEqual({ key: 'k', _v: 1 });
    const patch = await root('PATCH', '/collections/fast/docs/k', { b: 2 });
    expect(patch.status).toBe(202);
    expect(server.db.collection('fast').get('k')).toMatchObject({ _v: 2, a: 1, b: 2 });
    expect((await root('DELETE', '/collections/fast/docs/k')).status).toBe(202);
    expect((await root('DELETE', '/collections/fast/docs/k')).status).toBe(404);
  });
});
