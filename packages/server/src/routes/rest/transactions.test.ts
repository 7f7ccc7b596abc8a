import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, scopedToken, startRestServer, type TestServer } from './test-support/http.js';

describe('POST /transactions', () => {
  let server: TestServer;
  let root: ReturnType<typeof api>;
  let token: string;
  beforeAll(async () => {
    ({ server, root, token } = await startRestServer());
    await server.db.collection('accounts').set('alice', { balance: 100 });
    await server.db.collection('accounts').set('bob', { balance: 0 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('applies every operation and answers each one’s version', async () => {
    const answer = await root('POST', '/transactions', {
      operations: [
        { op: 'patch', collection: 'accounts', key: 'alice', doc: { balance: 70 }, ifVersion: 1 },
        { op: 'patch', collection: 'accounts', key: 'bob', doc: { balance: 30 } },
        { op: 'put', collection: 'ledger', key: 'tx1', doc: { from: 'alice', to: 'bob', amount: 30 }, ifVersion: 0 },
        { op: 'delete', collection: 'ledger', key: 'nothing' },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      results: [
        { op: 'patch', collection: 'accounts', key: 'alice', _v: 2 },
        { op: 'patch', collection: 'accounts', key: 'bob', _v: 2 },
        { op: 'put', collection: 'ledger', key: 'tx1', _v: 1 },
        { op: 'delete', collection: 'ledger', key: 'nothing', _v: null, deleted: false },
      ],
    });
    expect(server.db.collection('accounts').get('alice')).toMatchObject({ balance: 70 });
    expect(server.db.collection('ledger').get('tx1')).toMatchObject({ amount: 30 });
  });

  it('applies nothing when one guard is stale, answering 409 naming the key', async () => {
    const seqBefore = server.db.seq;
    const answer = await root('POST', '/transactions', {
      operations: [
        { op: 'put', collection: 'accounts', key: 'carol', doc: { balance: 5 } },
        { op: 'delete', collection: 'accounts', key: 'bob', ifVersion: 1 },
      ],
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ statusCode: 409, detail: { collection: 'accounts', key: 'bob', expected: 1, current: 2 } });
    expect((answer.body as { error: string }).error).toContain('accounts/bob');
    expect(server.db.collection('accounts').get('carol')).toBeUndefined();
    expect(server.db.collection('accounts').get('bob')).toMatchObject({ _v: 2 });
    expect(server.db.seq).toBe(seqBefore);
  });

  it('answers 404 naming the key when a patch names an absent document, and applies nothing', async () => {
    const answer = await root('POST', '/transactions', {
      operations: [
        { op: 'put', collection: 'accounts', key: 'dave', doc: { balance: 1 } },
        { op: 'patch', collection: 'accounts', key: 'erin', doc: { balance: 1 } },
      ],
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ detail: { collection: 'accounts', key: 'erin' } });
    expect(server.db.collection('accounts').get('dave')).toBeUndefined();
  });

  it('refuses malformed operations with 400 before writing anything', async () => {
    const cases: unknown[] = [
      {},
      { operations: [] },
      { operations: [{ op: 'upsert', collection: 'a', key: 'k', doc: {} }] },
      { operations: [{ op: 'put', collection: 'a', key: 'k' }] },
      { operations: [{ op: 'delete', collection: 'a', key: 'k', doc: {} }] },
      { operations: [{ op: 'put', collection: 'a', key: 'k', doc: { _key: 'k' } }] },
      { operations: [{ op: 'put', collection: 'bad name', key: 'k', doc: {} }] },
      { operations: [{ op: 'put', collection: 'a', key: '__proto__', doc: {} }] },
      { operations: [{ op: 'put', collection: 'a', key: 'k', doc: {}, extra: true }] },
    ];
    for (const body of cases) {
      const answer = await root('POST', '/transactions', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(typeof (answer.body as { error: unknown }).error).toBe('string');
    }
    expect(server.db.collection('a').count()).toBe(0);
  });

  it('needs write access to every key it touches', async () => {
    const scoped = api(server.url, await scopedToken(server, token, ['write:accounts:*']));
    const denied = await scoped('POST', '/transactions', {
      operations: [
        { op: 'put', collection: 'accounts', key: 'frank', doc: { balance: 1 } },
        { op: 'put', collection: 'audit', key: 'a1', doc: { what: 'x' } },
      ],
    });
    expect(denied.status).toBe(403);
    expect(server.db.collection('accounts').get('frank')).toBeUndefined();
    expect((await api(server.url)('POST', '/transactions', { operations: [{ op: 'delete', collection: 'accounts', key: 'bob' }] })).status).toBe(401);
  });

  it('of two concurrent transactions on one key, at most one applies and a loser gets 409', async () => {
    const move = (amount: number) =>
      root('POST', '/transactions', {
        operations: [{ op: 'patch', collection: 'accounts', key: 'alice', doc: { balance: amount }, ifVersion: 2 }],
      });
    const answers = await Promise.all([move(1), move(2), move(3)]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    expect(server.db.collection('accounts').get('alice')).toMatchObject({ _v: 3 });
  });
});
