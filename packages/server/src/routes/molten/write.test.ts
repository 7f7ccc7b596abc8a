import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindCall, delegatedToken, type BoundCall } from '../../test-support/http.js';
import { rootToken, startTestServer } from '../../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;
let api: BoundCall;
let root: string;
beforeAll(async () => {
  server = await startTestServer({ rateLimitMax: 100_000, maxKeysPerRequest: 50 });
  root = await rootToken(server.url);
  api = bindCall(server.url, root);
});
afterAll(async () => {
  await server.stop();
});

const errorOf = (body: unknown) => (body as { error: string }).error;

describe('POST /set', () => {
  it('stores a key → document map atomically and answers {status, count}', async () => {
    const answer = await api('POST', '/set', { body: { collection: 'set_map', data: { ada: { name: 'Ada' }, bob: { name: 'Bob' } } } });
    expect([answer.status, answer.body]).toEqual([200, { status: 'ok', count: 2 }]);
    expect(server.db.collection('set_map').get('ada')).toEqual({ _key: 'ada', _v: 1, name: 'Ada' });
  });

  it('gives an array of documents UUIDv7 keys and returns them as ids', async () => {
    const answer = await api('POST', '/set', { body: { collection: 'set_array', data: [{ n: 1 }, { n: 2 }] } });
    const body = answer.body as { status: string; count: number; ids: string[] };
    expect([answer.status, body.status, body.count, body.ids.length]).toEqual([200, 'ok', 2, 2]);
    for (const id of body.ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(server.db.collection('set_array').get(body.ids[1] ?? '')).toMatchObject({ n: 2 });
  });

  it('refuses top-level fields starting with _ (even _v) and writes nothing', async () => {
    for (const doc of [{ _v: 1 }, { _key: 'x' }, { _createdAt: 1 }]) {
      const answer = await api('POST', '/set', { body: { collection: 'set_reserved', data: { ok: { a: 1 }, bad: doc } } });
      expect(answer.status).toBe(400);
      expect(errorOf(answer.body)).toBe("Fields starting with '_' are reserved for internal use and cannot be set by the client.");
    }
    expect((await api('POST', '/set', { body: { collection: 'set_reserved', data: [{ _seq: 1 }] } })).status).toBe(400);
    expect(server.db.collection('set_reserved').count()).toBe(0);
  });

  it('refuses a document that is not an object', async () => {
    expect((await api('POST', '/set', { body: { collection: 'set_bad', data: { k: [1, 2] } } })).status).toBe(400);
    expect((await api('POST', '/set', { body: { collection: 'set_bad', data: 'text' } })).status).toBe(400);
  });

  it('refuses bad collection names and bad keys, naming them', async () => {
    for (const collection of ['', 'a.b', 'a b', 'x'.repeat(65), '__proto__', 'constructor', 'prototype']) {
      const answer = await api('POST', '/set', { body: { collection, data: { k: { a: 1 } } } });
      expect(answer.status, collection).toBe(400);
    }
    for (const key of ['a/b', 'k'.repeat(257), '__proto__', 'constructor', 'prototype', 'sp ace']) {
      const answer = await api('POST', '/set', { body: { collection: 'set_keys', data: { [key]: { a: 1 } } } });
      expect(answer.status, key).toBe(400);
      expect(errorOf(answer.body)).toContain('key');
    }
    expect(server.db.collections()).not.toContain('set_keys');
  });

  it('refuses more keys than maxKeysPerRequest', async () => {
    const data = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, { i }]));
    const answer = await api('POST', '/set', { body: { collection: 'set_many', data } });
    expect([answer.status, errorOf(answer.body)]).toEqual([400, 'Too many keys in single request (max 50)']);
    const array = await api('POST', '/set', { body: { collection: 'set_many', data: Array.from({ length: 51 }, () => ({})) } });
    expect(array.status).toBe(400);
  });

  it('sets the collection TTL and cap given with the documents', async () => {
    const answer = await api('POST', '/set', { body: { collection: 'set_capped', maxSize: 2, ttl: 3600, data: { a: {}, b: {}, c: {} } } });
    expect(answer.status).toBe(200);
    const stats = server.db.collection('set_capped').stats();
    expect([stats.count, stats.maxSize, stats.ttl]).toEqual([2, 2, 3600]);
    expect(server.db.collection('set_capped').keys().sort()).toEqual(['b', 'c']);
    expect((await api('POST', '/set', { body: { collection: 'set_capped', ttl: 0, data: {} } })).status).toBe(400);
  });

  it('embeds the documents an extends directive names, and drops the directive', async () => {
    await api('POST', '/set', { body: { collection: 'memory', data: { 'mem.4': { gb: 32 } } } });
    const answer = await api('POST', '/set', {
      body: { collection: 'machines', data: { m1: { brand: 'MSI', extends: { ram: 'memory.mem.4', gone: 'memory.nope' } } } },
    });
    expect(answer.status).toBe(200);
    expect(server.db.collection('machines').get('m1')).toEqual({ _key: 'm1', _v: 1, brand: 'MSI', ram: { _key: 'mem.4', _v: 1, gb: 32 } });
    for (const extend of ['memory', 'memory.', { ram: 1 }, '__proto__.x']) {
      const bad = await api('POST', '/set', { body: { collection: 'machines', data: { m2: { extends: typeof extend === 'string' ? { ram: extend } : extend } } } });
      expect(bad.status, JSON.stringify(extend)).toBe(400);
    }
    expect((await api('POST', '/set', { body: { collection: 'machines', data: { m2: { extends: 'memory.mem.4' } } } })).status).toBe(400);
  });

  it('refuses to embed a document the token may not read', async () => {
    await api('POST', '/set', { body: { collection: 'secrets', data: { s1: { pin: 1234 } } } });
    const writer = await delegatedToken(server.url, root, ['write:machines:*']);
    const answer = await api('POST', '/set', { token: writer, body: { collection: 'machines', data: { m3: { extends: { copy: 'secrets.s1' } } } } });
    expect(answer.status).toBe(403);
    expect(server.db.collection('machines').get('m3')).toBeUndefined();
  });

  it('checks write scopes per key for a key-scoped token', async () => {
    const token = await delegatedToken(server.url, root, ['write:set_scoped:store_A_*']);
    const ok = await api('POST', '/set', { token, body: { collection: 'set_scoped', data: { store_A_1: { a: 1 } } } });
    expect(ok.status).toBe(200);
    const mixed = await api('POST', '/set', { token, body: { collection: 'set_scoped', data: { store_A_2: {}, store_B_1: {} } } });
    expect(mixed.status).toBe(403);
    expect((await api('POST', '/set', { token, body: { collection: 'set_scoped', data: [{ a: 1 }] } })).status).toBe(403);
    expect((await api('POST', '/set', { token, body: { collection: 'other', data: { store_A_1: {} } } })).status).toBe(403);
    expect(server.db.collection('set_scoped').keys()).toEqual(['store_A_1']);
    expect((await api('POST', '/set', { token: null, body: { collection: 'set_scoped', data: {} } })).status).toBe(401);
  });
});

describe('POST /update', () => {
  it('merges top-level fields, skips absent keys and counts what it updated', async () => {
    await api('POST', '/set', { body: { collection: 'upd', data: { ada: { name: 'Ada', born: 1815 } } } });
    const answer = await api('POST', '/update', { body: { collection: 'upd', data: { ada: { born: 1816, field: 'math' }, ghost: { a: 1 } } } });
    expect([answer.status, answer.body]).toEqual([200, { status: 'ok', updated: 1 }]);
    expect(server.db.collection('upd').get('ada')).toEqual({ _key: 'ada', _v: 2, name: 'Ada', born: 1816, field: 'math' });
    expect(server.db.collection('upd').get('ghost')).toBeUndefined();
  });

  it('takes _v as the expected version: 409 with both versions when stale', async () => {
    await api('POST', '/set', { body: { collection: 'upd_v', data: { k: { n: 0 } } } });
    expect((await api('POST', '/update', { body: { collection: 'upd_v', data: { k: { n: 1, _v: 1 } } } })).status).toBe(200);
    const stale = await api('POST', '/update', { body: { collection: 'upd_v', data: { k: { n: 2, _v: 1 } } } });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      error: 'Conflict: Document version is outdated',
      statusCode: 409,
      detail: { collection: 'upd_v', key: 'k', expectedVersion: 1, actualVersion: 2 },
    });
    expect(server.db.collection('upd_v').get('k')).toMatchObject({ n: 1, _v: 2 });
  });

  it('refuses bad keys, too many keys, and keys the token may not write', async () => {
    expect((await api('POST', '/update', { body: { collection: 'upd_keys', data: { 'a/b': { n: 1 } } } })).status).toBe(400);
    expect((await api('POST', '/update', { body: { collection: 'upd_keys', data: { constructor: { n: 1 } } } })).status).toBe(400);
    const data = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, { i }]));
    expect((await api('POST', '/update', { body: { collection: 'upd_keys', data } })).status).toBe(400);
    const token = await delegatedToken(server.url, root, ['write:upd_keys:mine']);
    expect((await api('POST', '/update', { token, body: { collection: 'upd_keys', data: { theirs: { n: 1 } } } })).status).toBe(403);
    expect((await api('POST', '/update', { token: null, body: { collection: 'upd_keys', data: {} } })).status).toBe(401);
  });

  it('refuses other _ fields and patches that are not objects', async () => {
    await api('POST', '/set', { body: { collection: 'upd_bad', data: { k: { n: 0 } } } });
    const reserved = await api('POST', '/update', { body: { collection: 'upd_bad', data: { k: { _createdAt: 0 } } } });
    expect([reserved.status, errorOf(reserved.body)]).toEqual([400, "Fields starting with '_' are reserved."]);
    expect((await api('POST', '/update', { body: { collection: 'upd_bad', data: { k: 5 } } })).status).toBe(400);
    expect((await api('POST', '/update', { body: { collection: 'upd_bad', data: [] } })).status).toBe(400);
    expect(server.db.collection('upd_bad').get('k')).toEqual({ _key: 'k', _v: 1, n: 0 });
  });
});

describe('POST /delete', () => {
  async function seed(collection: string, n: number): Promise<void> {
    const data = Object.fromEntries(Array.from({ length: n }, (_, i) => [`d${i}`, { i, even: i % 2 === 0 }]));
    await api('POST', '/set', { body: { collection, data } });
  }

  it('deletes one key, a list of keys, and reports how many existed', async () => {
    await seed('del_keys', 4);
    expect((await api('POST', '/delete', { body: { collection: 'del_keys', keys: 'd0' } })).body).toEqual({ status: 'ok', deleted: 1 });
    expect((await api('POST', '/delete', { body: { collection: 'del_keys', keys: ['d1', 'd2', 'nope'] } })).body).toEqual({ status: 'ok', deleted: 2 });
    expect(server.db.collection('del_keys').keys()).toEqual(['d3']);
  });

  it('deletes by where, oldest first, at most count (default 100)', async () => {
    await seed('del_where', 10);
    const answer = await api('POST', '/delete', { body: { collection: 'del_where', where: { even: true }, count: 2 } });
    expect(answer.body).toEqual({ status: 'ok', deleted: 2 });
    expect(server.db.collection('del_where').keys().sort()).toEqual(['d1', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
    const newest = await api('POST', '/delete', { body: { collection: 'del_where', where: [{ even: true }, { i: { $gt: 0 } }], count: 1, order: 'desc' } });
    expect(newest.body).toEqual({ status: 'ok', deleted: 1 });
    expect(server.db.collection('del_where').get('d8')).toBeUndefined();
  });

  it('deletes the oldest (or newest) n with count alone', async () => {
    await seed('del_count', 5);
    expect((await api('POST', '/delete', { body: { collection: 'del_count', count: 2 } })).body).toEqual({ status: 'ok', deleted: 2 });
    expect((await api('POST', '/delete', { body: { collection: 'del_count', count: 1, order: 'desc' } })).body).toEqual({ status: 'ok', deleted: 1 });
    expect(server.db.collection('del_count').keys().sort()).toEqual(['d2', 'd3']);
  });

  it('drops a collection', async () => {
    await seed('del_drop', 2);
    expect((await api('POST', '/delete', { body: { collection: 'del_drop', drop: true } })).body).toEqual({ status: 'ok', dropped: true });
    expect(server.db.collection('del_drop').count()).toBe(0);
  });

  it('refuses a request naming nothing to delete, count over 1000, unknown operators and too many keys', async () => {
    const none = await api('POST', '/delete', { body: { collection: 'del_bad' } });
    expect([none.status, errorOf(none.body)]).toEqual([400, "Missing 'keys' (string or array), 'where', 'count', or 'drop': true"]);
    const count = await api('POST', '/delete', { body: { collection: 'del_bad', where: {}, count: 1001 } });
    expect([count.status, errorOf(count.body)]).toEqual([400, "'count' cannot exceed 1000"]);
    const operator = await api('POST', '/delete', { body: { collection: 'del_bad', where: { a: { $like: 'x' } } } });
    expect(operator.status).toBe(400);
    expect(operator.body).toMatchObject({ detail: { path: 'where.a.$like', code: 'unknown-operator' } });
    const many = await api('POST', '/delete', { body: { collection: 'del_bad', keys: Array.from({ length: 51 }, (_, i) => `k${i}`) } });
    expect(many.status).toBe(400);
    expect((await api('POST', '/delete', { body: { collection: 'del_bad', keys: ['ok', '__proto__'] } })).status).toBe(400);
  });

  it('lets a key-scoped token delete its keys only, and nothing by where or drop', async () => {
    await seed('del_scoped', 3);
    const token = await delegatedToken(server.url, root, ['write:del_scoped:d0']);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_scoped', keys: 'd0' } })).status).toBe(200);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_scoped', keys: ['d1'] } })).status).toBe(403);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_scoped', where: {} } })).status).toBe(403);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_scoped', drop: true } })).status).toBe(403);
    expect(server.db.collection('del_scoped').keys().sort()).toEqual(['d1', 'd2']);
  });

  it("honours MoltenDB's delete scopes: a delete token deletes and drops but cannot write", async () => {
    await seed('del_action', 3);
    const token = await delegatedToken(server.url, root, ['delete:del_action:*']);
    expect((await api('POST', '/set', { token, body: { collection: 'del_action', data: { x: { a: 1 } } } })).status).toBe(403);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_action', keys: 'd0' } })).status).toBe(200);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_action', where: {}, count: 1 } })).status).toBe(200);
    expect(server.db.collection('del_action').count()).toBe(1);
    expect((await api('POST', '/delete', { token, body: { collection: 'del_action', drop: true } })).status).toBe(200);
    expect(server.db.collection('del_action').count()).toBe(0);
  });
});
