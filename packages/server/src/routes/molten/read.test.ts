import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindCall, delegatedToken, type BoundCall } from '../../test-support/http.js';
import { rootToken, startTestServer } from '../../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
type Doc = Record<string, unknown>;

let server: TestServer;
let api: BoundCall;
let root: string;
beforeAll(async () => {
  server = await startTestServer({ rateLimitMax: 100_000, maxKeysPerRequest: 20 });
  root = await rootToken(server.url);
  api = bindCall(server.url, root);
  // Inserted one by one so _seq (insertion order) is laptops lp1 < lp2 < ... < lp6.
  const laptops: [string, Doc][] = [
    ['lp1', { brand: 'Lenovo', price: 1499, tags: ['business'], memory_id: 'm1' }],
    ['lp2', { brand: 'Apple', price: 2499, tags: ['creative'], memory_id: 'm2' }],
    ['lp3', { brand: 'Dell', price: 999, tags: ['business', 'budget'] }],
    ['lp4', { brand: 'apple', price: 1299, specs: { cpu: { ghz: 3.2 } } }],
    ['lp5', { brand: 'HP', price: 899, in_stock: false }],
    ['lp6', { brand: 'Razer', price: 2999, in_stock: true }],
  ];
  for (const [key, doc] of laptops) await api('POST', '/set', { body: { collection: 'laptops', data: { [key]: doc } } });
  await api('POST', '/set', { body: { collection: 'memory', data: { m1: { capacity_gb: 16, type: 'DDR5' }, m2: { capacity_gb: 32, type: 'LPDDR5' } } } });
});
afterAll(async () => {
  await server.stop();
});

const get = async (body: Doc, token?: string) => api('POST', '/get', { body: { collection: 'laptops', ...body }, ...(token === undefined ? {} : { token }) });
const keysOf = (body: unknown) => (body as Doc[]).map((doc) => doc['_key']);

describe('POST /get', () => {
  it('answers a single string key with the document itself, without _key', async () => {
    const answer = await get({ keys: 'lp1' });
    expect([answer.status, answer.body]).toEqual([200, { _v: 1, brand: 'Lenovo', price: 1499, tags: ['business'], memory_id: 'm1' }]);
  });

  it('answers a key list with an array of the documents found, each with _key and _v', async () => {
    const answer = await get({ keys: ['lp2', 'nope', 'lp3'], fields: ['brand'] });
    expect(answer.body).toEqual([
      { _key: 'lp2', _v: 1, brand: 'Apple' },
      { _key: 'lp3', _v: 1, brand: 'Dell' },
    ]);
  });

  it('answers 404 {error, statusCode} when nothing is found', async () => {
    for (const body of [{ keys: 'nope' }, { keys: ['nope'] }, { where: { brand: 'Acer' } }]) {
      const answer = await get(body);
      expect([answer.status, answer.body]).toEqual([404, { error: 'No documents found', statusCode: 404 }]);
    }
    const empty = await api('POST', '/get', { body: { collection: 'never_written' } });
    expect(empty.status).toBe(404);
  });

  it('orders unsorted results newest first by default, oldest first with order asc', async () => {
    expect(keysOf((await get({ count: 3 })).body)).toEqual(['lp6', 'lp5', 'lp4']);
    expect(keysOf((await get({ count: 2, offset: 1, order: 'asc' })).body)).toEqual(['lp2', 'lp3']);
  });

  it('filters with where: operators, $in case-insensitively, $contains on arrays, nested paths, $or', async () => {
    expect(keysOf((await get({ where: { price: { $gte: 1499 } }, order: 'asc' })).body)).toEqual(['lp1', 'lp2', 'lp6']);
    expect(keysOf((await get({ where: { brand: { $in: ['APPLE'] } }, order: 'asc' })).body)).toEqual(['lp2', 'lp4']);
    expect(keysOf((await get({ where: { tags: { $contains: 'budget' } } })).body)).toEqual(['lp3']);
    expect(keysOf((await get({ where: { 'specs.cpu.ghz': { $gt: 3 } } })).body)).toEqual(['lp4']);
    expect(keysOf((await get({ where: { $or: [{ brand: 'HP' }, { price: { $lt: 1000 } }] }, order: 'asc' })).body)).toEqual(['lp3', 'lp5']);
  });

  it('compares strings case-insensitively for equality, as MoltenDB’s evaluator does', async () => {
    expect(keysOf((await get({ where: { brand: 'APPLE' }, order: 'asc' })).body)).toEqual(['lp2', 'lp4']);
    expect(keysOf((await get({ where: { brand: { $eq: 'apple' } }, order: 'asc' })).body)).toEqual(['lp2', 'lp4']);
    expect(keysOf((await get({ where: { brand: { $ne: 'Apple' }, price: { $lt: 1000 } }, order: 'asc' })).body)).toEqual(['lp3', 'lp5']);
    expect(keysOf((await get({ where: { $or: [{ brand: 'hp' }, { price: 999 }] }, order: 'asc' })).body)).toEqual(['lp3', 'lp5']);
    expect((await get({ where: { price: 1499.5 } })).status).toBe(404);
  });

  it('takes an array of where clauses, all of which must match', async () => {
    expect(keysOf((await get({ where: [{ price: { $lt: 1500 } }, { tags: { $contains: 'business' } }], order: 'asc' })).body)).toEqual(['lp1', 'lp3']);
    const bad = await get({ where: [{ price: 1 }, { price: { $nope: 1 } }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ detail: { path: 'where[1].price.$nope', code: 'unknown-operator' } });
  });

  it('sorts by sort specs (a bare field name sorts ascending) and pages with count and offset', async () => {
    const byPrice = await get({ sort: [{ field: 'price', order: 'desc' }], count: 2, offset: 1 });
    expect(keysOf(byPrice.body)).toEqual(['lp2', 'lp1']);
    expect(keysOf((await get({ sort: ['price'], count: 2 })).body)).toEqual(['lp5', 'lp3']);
  });

  it('projects with fields (system timestamps on request, as ISO strings) or excludedFields', async () => {
    const [first] = (await get({ keys: ['lp1'], fields: ['brand', '_seq', '_createdAt'] })).body as Doc[];
    expect(Object.keys(first ?? {}).sort()).toEqual(['_createdAt', '_key', '_seq', '_v', 'brand']);
    expect(first?.['_createdAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await get({ keys: 'lp1', excludedFields: ['tags', 'memory_id', 'price'] })).body).toEqual({ _v: 1, brand: 'Lenovo' });
    const both = await get({ keys: 'lp1', fields: ['brand'], excludedFields: ['tags'] });
    expect(both.status).toBe(400);
  });

  it('joins documents of another collection under an alias', async () => {
    const answer = await get({ keys: ['lp1'], fields: ['brand'], joins: [{ ram: { from: 'memory', on: 'memory_id', fields: ['capacity_gb'] } }] });
    expect(answer.body).toEqual([{ _key: 'lp1', _v: 1, brand: 'Lenovo', ram: { _key: 'm1', _v: 1, capacity_gb: 16 } }]);
  });

  it('refuses unknown properties, unknown operators, count over 1000, sort with order, naming each', async () => {
    const unknown = await get({ filter: {} });
    expect([unknown.status, (unknown.body as Doc)['error']]).toEqual([400, "Unknown property: 'filter'. Check the API docs for supported properties"]);
    const operator = await get({ where: { price: { $gtx: 1 } } });
    expect(operator.status).toBe(400);
    expect((operator.body as Doc)['error']).toContain('$gtx');
    const count = await get({ count: 1001 });
    expect([count.status, (count.body as Doc)['error']]).toEqual([400, "'count' cannot exceed 1000"]);
    expect((await get({ sort: ['price'], order: 'asc' })).status).toBe(400);
    expect((await get({ order: 'newest' })).status).toBe(400);
    const sortKey = await get({ sort: [{ field: 'price', direction: 'asc' }] });
    expect([sortKey.status, (sortKey.body as Doc)['error']]).toEqual([400, "Unknown property: 'sort[0].direction'. Check the API docs for supported properties"]);
  });

  it('refuses malformed joins, naming the path', async () => {
    const noFrom = await get({ joins: [{ ram: { on: 'memory_id' } }] });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body).toMatchObject({ detail: { path: 'joins[0].ram.from' } });
    expect((await get({ joins: [{ ram: { from: 'memory', on: 'memory_id', as: 'x' } }] })).status).toBe(400);
    expect((await get({ joins: [{}] })).status).toBe(400);
  });

  it('refuses bad keys and more keys than maxKeysPerRequest', async () => {
    expect((await get({ keys: '__proto__' })).status).toBe(400);
    expect((await get({ keys: ['ok', 'a/b'] })).status).toBe(400);
    expect((await get({ keys: Array.from({ length: 21 }, (_, i) => `k${i}`) })).status).toBe(400);
    expect((await api('POST', '/get', { body: { collection: 'constructor' } })).status).toBe(400);
  });
});

describe('key-scoped tokens', () => {
  it('see only the documents they may read; count and offset apply to those', async () => {
    const token = await delegatedToken(server.url, root, ['read:laptops:lp2', 'read:laptops:lp5', 'read:laptops:lp6']);
    expect(keysOf((await get({}, token)).body)).toEqual(['lp6', 'lp5', 'lp2']);
    expect(keysOf((await get({ count: 1, offset: 1 }, token)).body)).toEqual(['lp5']);
    expect(keysOf((await get({ where: { price: { $gt: 1000 } } }, token)).body)).toEqual(['lp6', 'lp2']);
    expect((await get({ where: { brand: 'Lenovo' } }, token)).status).toBe(404);
  });

  it('match prefix wildcards, and must hold every key they name', async () => {
    await api('POST', '/set', { body: { collection: 'stores', data: { store_A_1: { n: 1 }, store_A_2: { n: 2 }, store_B_1: { n: 3 } } } });
    const token = await delegatedToken(server.url, root, ['read:stores:store_A_*']);
    const all = await api('POST', '/get', { token, body: { collection: 'stores', order: 'asc' } });
    expect(keysOf(all.body)).toEqual(['store_A_1', 'store_A_2']);
    expect((await api('POST', '/get', { token, body: { collection: 'stores', keys: 'store_A_2' } })).body).toEqual({ _v: 1, n: 2 });
    expect((await api('POST', '/get', { token, body: { collection: 'stores', keys: ['store_A_1', 'store_B_1'] } })).status).toBe(403);
    expect((await api('GET', '/collections/stores', { token })).status).toBe(200);
    expect((await api('GET', '/collections/stores/docs/store_B_1', { token })).status).toBe(403);
  });

  it('page through more than one engine page to find their documents', async () => {
    const many = server.db.collection('many');
    await many.insert(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`z_${i}`, { i }])));
    await many.insert(Array.from({ length: 1500 }, (_, i) => ({ i })));
    const token = await delegatedToken(server.url, root, ['read:many:z_*']);
    const newest = await api('POST', '/get', { token, body: { collection: 'many', count: 2, offset: 1 } });
    expect(keysOf(newest.body)).toEqual(['z_3', 'z_2']);
    const sorted = await api('POST', '/get', { token, body: { collection: 'many', sort: [{ field: 'i', order: 'desc' }] } });
    expect(keysOf(sorted.body)).toEqual(['z_4', 'z_3', 'z_2', 'z_1', 'z_0']);
  });

  it('are refused 403 on collections they hold nothing of, and on joins into them', async () => {
    const token = await delegatedToken(server.url, root, ['read:laptops:*']);
    expect((await get({ keys: ['lp1'], joins: [{ ram: { from: 'memory', on: 'memory_id' } }] }, token)).status).toBe(403);
    expect((await api('POST', '/get', { token, body: { collection: 'memory' } })).status).toBe(403);
    const writer = await delegatedToken(server.url, root, ['write:laptops:*']);
    expect((await get({}, writer)).status).toBe(403);
    expect((await get({}, undefined)).status).toBe(200);
    expect((await api('POST', '/get', { token: null, body: { collection: 'laptops' } })).status).toBe(401);
  });
});

describe('GET /collections/:c', () => {
  it('answers a page, newest first, with limit and offset', async () => {
    const page = await api('GET', '/collections/laptops?limit=2&offset=1');
    expect([page.status, keysOf(page.body)]).toEqual([200, ['lp5', 'lp4']]);
    expect((await api('GET', '/collections/laptops')).body).toHaveLength(6);
  });

  it('refuses a limit over 1000, a bad name, and answers 404 for an empty collection', async () => {
    expect((await api('GET', '/collections/laptops?limit=1001')).status).toBe(400);
    expect((await api('GET', '/collections/laptops?limit=abc')).status).toBe(400);
    expect((await api('GET', '/collections/a.b')).status).toBe(400);
    expect((await api('GET', '/collections/__proto__')).status).toBe(400);
    expect((await api('GET', '/collections/empty')).body).toEqual({ error: 'No documents found', statusCode: 404 });
  });
});

describe('GET /collections/:c/docs/:key', () => {
  it('answers the document with its version as ETag, and 304 for a matching If-None-Match', async () => {
    const answer = await api('GET', '/collections/laptops/docs/lp3');
    expect([answer.status, answer.headers.get('etag'), answer.body]).toEqual([200, '"1"', { _v: 1, brand: 'Dell', price: 999, tags: ['business', 'budget'] }]);
    expect((await api('GET', '/collections/laptops/docs/lp3', { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    expect((await api('GET', '/collections/laptops/docs/lp3', { headers: { 'if-none-match': '"0"' } })).status).toBe(200);
  });

  it('needs a token that may read that key', async () => {
    expect((await api('GET', '/collections/laptops/docs/lp3', { token: null })).status).toBe(401);
    const token = await delegatedToken(server.url, root, ['read:laptops:lp4']);
    expect((await api('GET', '/collections/laptops/docs/lp3', { token })).status).toBe(403);
    expect((await api('GET', '/collections/laptops/docs/lp4', { token })).status).toBe(200);
  });

  it('answers 404 for an absent key and 400 for a bad one', async () => {
    expect((await api('GET', '/collections/laptops/docs/nope')).body).toEqual({ error: 'No documents found', statusCode: 404 });
    expect((await api('GET', '/collections/laptops/docs/prototype')).status).toBe(400);
    expect((await api('GET', '/collections/laptops/docs/a%20b')).status).toBe(400);
  });
});
