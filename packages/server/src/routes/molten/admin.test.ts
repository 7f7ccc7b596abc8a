import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindCall, delegatedToken, type BoundCall } from '../../test-support/http.js';
import { rootToken, startTestServer } from '../../test-support/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

let server: TestServer;
let api: BoundCall;
let root: string;
let reader: string;
beforeAll(async () => {
  server = await startTestServer({ rateLimitMax: 100_000 });
  root = await rootToken(server.url);
  api = bindCall(server.url, root);
  reader = await delegatedToken(server.url, root, ['read:*:*', 'write:*:*']);
});
afterAll(async () => {
  await server.stop();
});

describe('POST /schema', () => {
  it('is for admin tokens only (a TTL can expire a whole collection)', async () => {
    const answer = await api('POST', '/schema', { token: reader, body: { collection: 'people', ttl: 1 } });
    expect(answer.status).toBe(403);
    expect((await api('POST', '/schema', { token: null, body: { collection: 'people', ttl: 1 } })).status).toBe(401);
    expect(server.db.collection('people').stats().ttl).toBeUndefined();
  });

  it('sets a JSON schema that later writes must satisfy, and null removes it', async () => {
    const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } };
    expect((await api('POST', '/schema', { body: { collection: 'people', schema } })).body).toEqual({ status: 'ok', collection: 'people' });
    const bad = await api('POST', '/set', { body: { collection: 'people', data: { p1: { name: 5 } } } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ detail: { errors: [{ path: 'name' }] } });
    expect((await api('POST', '/set', { body: { collection: 'people', data: { p1: { name: 'Ada' } } } })).status).toBe(200);
    expect((await api('POST', '/schema', { body: { collection: 'people', schema: null } })).status).toBe(200);
    expect((await api('POST', '/set', { body: { collection: 'people', data: { p2: { name: 5 } } } })).status).toBe(200);
  });

  it('refuses a schema that does not compile, applying nothing', async () => {
    const answer = await api('POST', '/schema', { body: { collection: 'bad_schema', schema: { type: 'nonsense' }, maxSize: 5 } });
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toMatch(/^Invalid Schema: /);
    expect(server.db.collection('bad_schema').stats().maxSize).toBeUndefined();
  });

  it('sets ttl and maxSize, and needs at least one of the three', async () => {
    expect((await api('POST', '/schema', { body: { collection: 'capped', ttl: 3600, maxSize: 3 } })).status).toBe(200);
    expect(server.db.collection('capped').stats()).toMatchObject({ ttl: 3600, maxSize: 3 });
    const none = await api('POST', '/schema', { body: { collection: 'capped' } });
    expect([none.status, (none.body as { error: string }).error]).toEqual([400, "At least one of 'schema', 'ttl', or 'maxSize' must be provided"]);
    expect((await api('POST', '/schema', { body: { collection: 'capped', maxSize: 0 } })).status).toBe(400);
    expect((await api('POST', '/schema', { body: { collection: 'capped', ttl: 'soon' } })).status).toBe(400);
    expect((await api('POST', '/schema', { body: { collection: 'prototype', ttl: 5 } })).status).toBe(400);
    expect((await api('POST', '/schema', { body: { collection: 'capped', maxSize: 5, index: 'x' } })).status).toBe(400);
  });
});

describe('POST /snapshot', () => {
  it('takes a snapshot for an admin token only', async () => {
    await api('POST', '/set', { body: { collection: 'snap', data: { a: { n: 1 } } } });
    expect((await api('POST', '/snapshot', { token: reader })).status).toBe(403);
    expect((await api('POST', '/snapshot', { token: null })).status).toBe(401);
    const answer = await api('POST', '/snapshot');
    expect(answer.body).toEqual({ status: 'ok', message: 'Snapshot taken successfully', seq: server.db.seq, written: true });
    expect(server.db.stats().snapshot?.seq).toBe(server.db.seq);
  });
});

describe('GET|POST /stats', () => {
  it('counts every collection, with maxSize and the TTL expiry as MoltenDB shows them', async () => {
    await api('POST', '/set', { body: { collection: 'stats_a', data: { a: {}, b: {} } } });
    await api('POST', '/set', { body: { collection: 'stats_b', maxSize: 10, ttl: 60, data: { a: {} } } });
    const all = (await api('GET', '/stats')).body as { collections: Record<string, Record<string, unknown>>; total: number };
    expect(all.collections['stats_a']).toEqual({ count: 2 });
    expect(all.collections['stats_b']).toMatchObject({ count: 1, maxSize: 10 });
    expect(Date.parse(all.collections['stats_b']?.['expiresAt'] as string)).toBeGreaterThan(Date.now());
    const counted = Object.values(all.collections).reduce((sum, entry) => sum + (entry['count'] as number), 0);
    expect(all.total).toBe(counted);
    expect((await api('POST', '/stats')).body).toEqual(all);
  });

  it('answers one collection, and 404 for one that does not exist', async () => {
    expect((await api('POST', '/stats', { body: { collection: 'stats_a' } })).body).toEqual({ collection: 'stats_a', count: 2 });
    expect((await api('POST', '/stats', { body: { collection: 'nothing_here' } })).body).toEqual({
      error: 'Collection not found',
      statusCode: 404,
      detail: { collection: 'nothing_here' },
    });
    expect((await api('POST', '/stats', { body: { collection: 'a', extra: 1 } })).status).toBe(400);
    expect((await api('POST', '/stats', { body: { collection: 'a.b' } })).status).toBe(400);
  });

  it('refuses a POST body that is not { collection? }', async () => {
    for (const body of [[1], { collection: 5 }, 'text']) {
      expect((await api('POST', '/stats', { body: JSON.stringify(body) })).status, JSON.stringify(body)).toBe(400);
    }
  });

  it('shows a scoped token only the collections it may read whole', async () => {
    const token = await delegatedToken(server.url, root, ['read:stats_a:*', 'read:stats_b:a']);
    expect((await api('GET', '/stats', { token })).body).toEqual({ collections: { stats_a: { count: 2 } }, total: 2 });
    expect((await api('POST', '/stats', { token, body: { collection: 'stats_b' } })).status).toBe(403);
    expect((await api('GET', '/stats', { token: null })).status).toBe(401);
  });
});
