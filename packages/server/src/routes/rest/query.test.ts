import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, scopedToken, startRestServer, type TestServer } from './test-support/http.js';

describe('POST /collections/:c/query and the index routes', () => {
  let server: TestServer;
  let root: ReturnType<typeof api>;
  let token: string;
  beforeAll(async () => {
    ({ server, root, token } = await startRestServer());
    const laptops = server.db.collection('laptops');
    await laptops.set('lp1', { brand: 'Lenovo', price: 1499, teamId: 't1' });
    await laptops.set('lp2', { brand: 'Apple', price: 2499, teamId: 't1' });
    await laptops.set('lp3', { brand: 'Dell', price: 999, teamId: 't2' });
    await server.db.collection('teams').set('t1', { name: 'Core' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers {documents, count} for a where/sort/fields query', async () => {
    const answer = await root('POST', '/collections/laptops/query', {
      where: { price: { $gt: 1000 } },
      sort: [{ field: 'price', order: 'asc' }],
      fields: ['brand'],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      documents: [
        { _key: 'lp1', _v: 1, brand: 'Lenovo' },
        { _key: 'lp2', _v: 1, brand: 'Apple' },
      ],
      count: 2,
    });
  });

  it('answers system timestamps as ISO strings when asked for, like the MoltenDB routes', async () => {
    const answer = await root('POST', '/collections/laptops/query', { keys: 'lp1', fields: ['brand', '_createdAt'] });
    const [doc] = (answer.body as { documents: { _createdAt: unknown }[] }).documents;
    expect(typeof doc?._createdAt).toBe('string');
    expect(Date.parse(doc?._createdAt as string)).toBe(server.db.collection('laptops').find({ keys: 'lp1', fields: ['_createdAt'] })?._createdAt);
  });

  it('answers an array for a single key too, and an empty one (200) when nothing matches', async () => {
    const one = await root('POST', '/collections/laptops/query', { keys: 'lp3' });
    expect(one.body).toEqual({ documents: [{ _key: 'lp3', _v: 1, brand: 'Dell', price: 999, teamId: 't2' }], count: 1 });
    const none = await root('POST', '/collections/laptops/query', { where: { brand: 'Acer' } });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ documents: [], count: 0 });
    const absentCollection = await root('POST', '/collections/nothing/query', {});
    expect(absentCollection.body).toEqual({ documents: [], count: 0 });
  });

  it('refuses an unknown property, a collection in the body and an unknown operator with 400 naming them', async () => {
    const unknown = await root('POST', '/collections/laptops/query', { wher: {} });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toContain('wher');
    const collection = await root('POST', '/collections/laptops/query', { collection: 'laptops' });
    expect(collection.status).toBe(400);
    expect((collection.body as { error: string }).error).toContain('collection');
    const operator = await root('POST', '/collections/laptops/query', { where: { price: { $gtx: 1 } } });
    expect(operator.status).toBe(400);
    expect((operator.body as { error: string }).error).toContain('$gtx');
    const tooMany = await root('POST', '/collections/laptops/query', { count: 1001 });
    expect(tooMany.status).toBe(400);
  });

  it('checks read access to the collection, to named keys, and to joined collections', async () => {
    expect((await api(server.url)('POST', '/collections/laptops/query', {})).status).toBe(401);
    const oneKey = api(server.url, await scopedToken(server, token, ['read:laptops:lp1']));
    // A key-scoped token sees only the documents it may read (as on POST /get), and may not name others.
    const filtered = await oneKey('POST', '/collections/laptops/query', {});
    expect(filtered.status).toBe(200);
    expect((filtered.body as { documents: { _key: string }[] }).documents.map((doc) => doc._key)).toEqual(['lp1']);
    expect((await oneKey('POST', '/collections/laptops/query', { keys: ['lp1', 'lp2'] })).status).toBe(403);
    expect((await api(server.url, await scopedToken(server, token, ['read:teams:*']))('POST', '/collections/laptops/query', {})).status).toBe(403);
    const allowed = await oneKey('POST', '/collections/laptops/query', { keys: ['lp1'] });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ count: 1 });

    const join = { where: { brand: 'Lenovo' }, joins: [{ team: { from: 'teams', on: 'teamId', fields: ['name'] } }] };
    const laptopsOnly = api(server.url, await scopedToken(server, token, ['read:laptops:*']));
    expect((await laptopsOnly('POST', '/collections/laptops/query', join)).status).toBe(403);
    const joined = await root('POST', '/collections/laptops/query', join);
    expect(joined.status).toBe(200);
    expect((joined.body as { documents: { team: unknown }[] }).documents[0]?.team).toEqual({ _key: 't1', _v: 1, name: 'Core' });
  });

  it('creates (201), lists, re-creates (200) and drops (200, then 404) an index; queries give the same answers', async () => {
    const before = await root('POST', '/collections/laptops/query', { where: { brand: 'Apple' } });
    const created = await root('POST', '/collections/laptops/indexes', { field: 'brand' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ collection: 'laptops', field: 'brand', indexes: ['brand'] });
    expect(server.db.collection('laptops').indexes()).toEqual(['brand']);
    expect((await root('POST', '/collections/laptops/indexes', { field: 'brand' })).status).toBe(200);
    const listed = await root('GET', '/collections/laptops/indexes');
    expect(listed.body).toEqual({ collection: 'laptops', indexes: ['brand'] });
    expect((await root('POST', '/collections/laptops/query', { where: { brand: 'Apple' } })).body).toEqual(before.body);

    const dropped = await root('DELETE', '/collections/laptops/indexes/brand');
    expect(dropped.status).toBe(200);
    expect(dropped.body).toEqual({ collection: 'laptops', field: 'brand', indexes: [] });
    expect((await root('DELETE', '/collections/laptops/indexes/brand')).status).toBe(404);
    expect(server.db.collection('laptops').indexes()).toEqual([]);
  });

  it('index writes need an admin token (403 for a scoped one); listing needs read', async () => {
    const writer = api(server.url, await scopedToken(server, token, ['read:laptops:*', 'write:laptops:*']));
    const denied = await writer('POST', '/collections/laptops/indexes', { field: 'price' });
    expect(denied.status).toBe(403);
    expect(server.db.collection('laptops').indexes()).toEqual([]);
    expect((await writer('GET', '/collections/laptops/indexes')).status).toBe(200);
    expect((await writer('DELETE', '/collections/laptops/indexes/price')).status).toBe(403);
    expect((await api(server.url)('GET', '/collections/laptops/indexes')).status).toBe(401);
    expect((await root('POST', '/collections/laptops/indexes', {})).status).toBe(400);
    expect((await root('POST', '/collections/laptops/indexes', { field: 'a', extra: 1 })).status).toBe(400);
  });
});
