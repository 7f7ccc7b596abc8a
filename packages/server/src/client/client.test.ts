import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ROOT_PASSWORD, ROOT_USER, startTestServer } from '../test-support/server.js';
import { KilnClient, KilnAuthError, KilnConflictError, KilnHttpError, KilnNotFoundError, type ChangeEvent, type FetchLike, type WsChangeEvent } from './index.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** Resolves with `promise`, or rejects after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      setTimeout(() => {
        reject(new Error(`timed out after ${ms} ms`));
      }, ms);
    }),
  ]);
}

/** The next `count` events of a change iterator, each wait bounded. */
async function take(iterator: AsyncIterator<ChangeEvent>, count: number): Promise<ChangeEvent[]> {
  const events: ChangeEvent[] = [];
  for (let i = 0; i < count; i++) {
    const result = await within(iterator.next(), 5000);
    if (result.done === true) throw new Error('the feed ended');
    events.push(result.value);
  }
  return events;
}

/**
 * A fetch whose first response is cut right after the first event containing `marker`, as a dropped
 * connection would; `beforeSecond` runs before the second request (a write in the gap). `seen` records each
 * request's Last-Event-ID.
 */
function cuttingFetch(marker: string, beforeSecond?: () => Promise<void>): { fetch: FetchLike; seen: (string | null)[] } {
  const seen: (string | null)[] = [];
  let calls = 0;
  const cutting: FetchLike = async (input, init) => {
    seen.push(new Headers(init?.headers).get('last-event-id'));
    if (calls++ > 0) {
      await beforeSecond?.();
      return fetch(input, init);
    }
    const response = await fetch(input, init);
    if (response.body === null) return response;
    const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        text += decoder.decode(value, { stream: true });
        const at = text.indexOf(marker);
        const end = at === -1 ? -1 : text.indexOf('\n\n', at);
        if (end === -1) {
          controller.enqueue(value);
          sent = text.length;
          return;
        }
        controller.enqueue(new TextEncoder().encode(text.slice(sent, end + 2)));
        await reader.cancel();
        controller.error(new TypeError('terminated'));
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: cutting, seen };
}

describe('KilnClient against a real server', () => {
  let server: TestServer;
  let client: KilnClient;
  beforeAll(async () => {
    server = await startTestServer({ rateLimitMax: 100_000 });
    client = new KilnClient({ url: `${server.url}/`, WebSocket });
    await client.login(ROOT_USER, ROOT_PASSWORD);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('login keeps the token; a wrong password is a KilnAuthError with the status and body', async () => {
    expect(client.token).toMatch(/^ey/);
    const other = new KilnClient({ url: server.url });
    const error = await other.login(ROOT_USER, 'wrong').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KilnAuthError);
    expect((error as KilnAuthError).status).toBe(401);
    expect((error as KilnAuthError).body).toMatchObject({ statusCode: 401 });
    expect(other.token).toBeUndefined();
    await expect(other.collection('x').get('y')).rejects.toBeInstanceOf(KilnAuthError);
  });

  it('collection: put, get, patch and delete with versions', async () => {
    const users = client.collection('users');
    expect(await users.put('ada', { name: 'Ada' })).toEqual({ key: 'ada', _v: 1, durable: true, created: true });
    expect(await users.put('ada', { name: 'Ada', born: 1815 }, { ifVersion: 1 })).toEqual({ key: 'ada', _v: 2, durable: true, created: false });
    expect(await users.get('ada')).toEqual({ _key: 'ada', _v: 2, name: 'Ada', born: 1815 });
    expect(await users.get('nobody')).toBeUndefined();
    expect(await users.patch('ada', { field: 'math' })).toEqual({ key: 'ada', _v: 3, durable: true, created: false });
    expect(server.db.collection('users').get('ada')).toMatchObject({ _v: 3, name: 'Ada', field: 'math' });

    const stale = await users.put('ada', { name: 'x' }, { ifVersion: 1 }).catch((caught: unknown) => caught);
    expect(stale).toBeInstanceOf(KilnConflictError);
    expect((stale as KilnConflictError).status).toBe(412);
    expect((stale as KilnConflictError).current).toBe(3);
    const exists = await users.put('ada', { name: 'x' }, { ifVersion: 0 }).catch((caught: unknown) => caught);
    expect((exists as KilnConflictError).current).toBe(3);
    await expect(users.patch('nobody', { a: 1 })).rejects.toBeInstanceOf(KilnNotFoundError);
    await expect(users.delete('ada', { ifVersion: 2 })).rejects.toBeInstanceOf(KilnConflictError);

    expect(await users.delete('ada', { ifVersion: 3 })).toBe(true);
    expect(await users.delete('ada')).toBe(false);
    const bad = await users.put('bad', { _secret: 1 }).catch((caught: unknown) => caught);
    expect(bad).toBeInstanceOf(KilnHttpError);
    expect((bad as KilnHttpError).status).toBe(400);
    expect((bad as KilnHttpError).message).toContain('_secret');
  });

  it('collection: query, list and indexes', async () => {
    const laptops = client.collection('laptops');
    await client.set('laptops', { lp1: { brand: 'Lenovo', price: 1499 }, lp2: { brand: 'Apple', price: 2499 } });
    expect(await laptops.query({ where: { price: { $gt: 2000 } } })).toEqual([{ _key: 'lp2', _v: 1, brand: 'Apple', price: 2499 }]);
    expect(await laptops.query({ keys: 'lp1', fields: ['brand'] })).toEqual([{ _key: 'lp1', _v: 1, brand: 'Lenovo' }]);
    const page = await laptops.list({ limit: 1, offset: 0 });
    expect(page).toHaveLength(1);
    expect(await client.collection('empty').list()).toEqual([]);

    await laptops.createIndex('price');
    expect(await laptops.indexes()).toEqual(['price']);
    expect(await laptops.dropIndex('price')).toBe(true);
    expect(await laptops.dropIndex('price')).toBe(false);
    await expect(laptops.query({ wher: {} } as never)).rejects.toThrow(/wher/);
  });

  it("MoltenDB routes: set, update, get, remove", async () => {
    const set = await client.set('molten', [{ n: 1 }, { n: 2 }]);
    expect(set).toMatchObject({ status: 'ok', count: 2 });
    const ids = set.ids ?? [];
    expect(ids).toHaveLength(2);
    const id = ids[0] ?? '';
    expect(await client.update('molten', { [id]: { m: 1 } })).toMatchObject({ status: 'ok', updated: 1 });
    expect(await client.get({ collection: 'molten', keys: id })).toMatchObject({ n: 1, m: 1, _v: 2 });
    expect(await client.remove({ collection: 'molten', keys: [id] })).toMatchObject({ status: 'ok', deleted: 1 });
    await expect(client.get({ collection: 'molten', keys: id })).rejects.toBeInstanceOf(KilnNotFoundError);
    const stale = await client.update('molten', { [ids[1] ?? '']: { _v: 9, m: 2 } }).catch((caught: unknown) => caught);
    expect(stale).toBeInstanceOf(KilnConflictError);
    expect((stale as KilnConflictError).status).toBe(409);
  });

  it('transaction: all or nothing; a conflict is a KilnConflictError naming the key', async () => {
    await client.collection('acct').put('a', { balance: 10 });
    const done = await client.transaction([
      { op: 'patch', collection: 'acct', key: 'a', doc: { balance: 5 }, ifVersion: 1 },
      { op: 'put', collection: 'acct', key: 'b', doc: { balance: 5 } },
    ]);
    expect(done).toEqual({
      status: 'ok',
      durable: true,
      results: [
        { op: 'patch', collection: 'acct', key: 'a', _v: 2 },
        { op: 'put', collection: 'acct', key: 'b', _v: 1 },
      ],
    });
    const conflict = await client
      .transaction([
        { op: 'delete', collection: 'acct', key: 'b' },
        { op: 'patch', collection: 'acct', key: 'a', doc: { balance: 0 }, ifVersion: 1 },
      ])
      .catch((caught: unknown) => caught);
    expect(conflict).toBeInstanceOf(KilnConflictError);
    expect((conflict as KilnConflictError).status).toBe(409);
    expect((conflict as KilnConflictError).current).toBe(2);
    expect((conflict as KilnConflictError).body).toMatchObject({ detail: { key: 'a' } });
    expect(server.db.collection('acct').get('b')).toBeDefined();
  });

  it('collections, stats, health, storage, snapshot, compact, setSchema', async () => {
    await client.collection('statted').put('s', { a: 1 });
    expect(await client.collections()).toContain('statted');
    expect(await client.stats('statted')).toEqual({ collection: 'statted', count: 1 });
    expect((await client.stats()).total).toBeGreaterThan(1);
    expect(await client.health()).toMatchObject({ status: 'ok' });
    expect(typeof (await client.storage())).toBe('object');
    expect(await client.snapshot()).toMatchObject({ status: 'ok' });
    expect(typeof (await client.compact())).toBe('object');
    await client.setSchema('schemed', { type: 'object', required: ['name'], properties: { name: { type: 'string' } } });
    await expect(client.collection('schemed').put('x', { name: 1 })).rejects.toMatchObject({ status: 400 });
    expect((await client.collection('schemed').put('y', { name: 'ok' }))._v).toBe(1);
  });

  it('delegate, a scoped client (403 as KilnAuthError), refresh and revoke', async () => {
    const delegated = await client.delegate({ client_id: 'reader', scopes: ['read:users:*'], ttl_secs: 600 });
    expect(delegated).toMatchObject({ client_id: 'reader', scopes: ['read:users:*'] });
    const reader = new KilnClient({ url: server.url, token: delegated.token });
    await reader.collection('users').get('ada');
    const denied = await reader.collection('users').put('x', { a: 1 }).catch((caught: unknown) => caught);
    expect(denied).toBeInstanceOf(KilnAuthError);
    expect((denied as KilnAuthError).status).toBe(403);

    const refreshed = await reader.refresh();
    expect(reader.token).toBe(refreshed);
    expect(refreshed).not.toBe(delegated.token);
    await expect(new KilnClient({ url: server.url, token: delegated.token }).collection('users').get('ada')).rejects.toBeInstanceOf(KilnAuthError);

    const jti = (JSON.parse(Buffer.from(refreshed.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
    expect(await client.revoke(jti)).toMatchObject({ revoked: jti });
    await expect(reader.collection('users').get('ada')).rejects.toBeInstanceOf(KilnAuthError);
  });

  it('changes(): history after since, then live; break aborts the stream', async () => {
    const feed = client.collection('feed');
    const since = server.db.seq;
    await feed.put('one', { n: 1 });
    const stream = client.changes({ since, collection: 'feed' });
    const [first] = await take(stream, 1);
    expect(first?.entries[0]).toMatchObject({ cmd: 'INSERT', collection: 'feed', key: 'one' });
    await feed.put('two', { n: 2 });
    const [second] = await take(stream, 1);
    expect(second?.entries[0]?.key).toBe('two');
    expect(second?.seq).toBe(server.db.seq);
    expect(await within(stream.return(), 2000)).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('changes(): return() ends a next() that is waiting, and all-collection feeds work', async () => {
    const stream = client.changes();
    const waiting = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await within(stream.return(), 2000);
    expect(await within(waiting, 2000)).toEqual({ done: true, value: undefined });

    const all = client.changes({ since: server.db.seq });
    const pending = take(all, 2);
    await client.collection('x1').put('k', { a: 1 });
    await client.collection('x2').put('k', { a: 1 });
    expect((await pending).map((event) => event.entries[0]?.collection)).toEqual(['x1', 'x2']);
    await all.return();
  });

  it('changes(): a dropped stream is reopened once with Last-Event-ID, missing and repeating nothing', async () => {
    const { fetch: cutting, seen } = cuttingFetch('event: change');
    const dropping = new KilnClient({ url: server.url, token: client.token ?? '', fetch: cutting });
    const since = server.db.seq;
    for (let i = 0; i < 3; i++) await client.collection('drop').put(`k${i}`, { i });
    const stream = dropping.changes({ since, collection: 'drop' });
    const events = await take(stream, 3);
    await stream.return();
    expect(events.map((event) => event.entries[0]?.key)).toEqual(['k0', 'k1', 'k2']);
    expect(seen).toEqual([String(since), String(events[0]?.seq)]);
  });

  it('changes(): a live feed dropped before its first change resumes from where it started', async () => {
    const { fetch: cutting, seen } = cuttingFetch('event: ready', () => client.collection('gap').put('during', { n: 1 }).then(() => undefined));
    const dropping = new KilnClient({ url: server.url, token: client.token ?? '', fetch: cutting });
    const openedAt = server.db.seq;
    const stream = dropping.changes({ collection: 'gap' });
    const [event] = await take(stream, 1);
    await stream.return();
    expect(event?.entries[0]?.key).toBe('during');
    expect(seen).toEqual([null, String(openedAt)]);
  });

  it('changes(): history removed by compaction is a KilnHttpError with status 410', async () => {
    for (let i = 0; i < 3; i++) await client.collection('compacted').put(`k${i}`, { i });
    await server.db.compact();
    await client.collection('compacted').put('after', { i: 9 });
    const error = await client.changes({ since: 0, collection: 'compacted' }).next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KilnHttpError);
    expect((error as KilnHttpError).status).toBe(410);
  });

  it('subscribe(): the /ws feed through the ws package, one event per written key', async () => {
    const events: WsChangeEvent[] = [];
    const subscription = client.subscribe((event) => events.push(event));
    await within(subscription.ready, 5000);
    try {
      await client.collection('ws').put('a', { n: 1 });
      await client.collection('ws').delete('a');
      for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events).toEqual([
        { event: 'change', collection: 'ws', key: 'a', new_v: 1 },
        { event: 'change', collection: 'ws', key: 'a', new_v: null },
      ]);
    } finally {
      subscription.close();
    }
  });

  it('subscribe(): a refused token rejects ready and reaches onError', async () => {
    const errors: Error[] = [];
    const bad = new KilnClient({ url: server.url, token: 'not-a-token', WebSocket });
    const subscription = bad.subscribe(() => undefined, {
      onError: (error) => {
        errors.push(error);
      },
    });
    await expect(within(subscription.ready, 5000)).rejects.toThrow(/invalid_token/);
    expect(errors).toHaveLength(1);
    expect(() => new KilnClient({ url: server.url }).subscribe(() => undefined, { WebSocket })).toThrow(/log in/);
  });
});

describe('KilnClient.subscribe when the server goes away', () => {
  it('reports the close through onError', async () => {
    const server = await startTestServer({ rateLimitMax: 100_000 });
    let stopped = false;
    try {
      const client = new KilnClient({ url: server.url, WebSocket });
      await client.login(ROOT_USER, ROOT_PASSWORD);
      const errors: Error[] = [];
      const subscription = client.subscribe(() => undefined, {
        onError: (error) => {
          errors.push(error);
        },
      });
      await within(subscription.ready, 5000);
      await server.stop();
      stopped = true;
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toMatch(/closed/);
      subscription.close();
    } finally {
      if (!stopped) await server.stop();
    }
  });
});

describe('KilnClient under durability none', () => {
  it('reports writes answered 202 as not durable', async () => {
    const server = await startTestServer({ durability: 'none', rateLimitMax: 100_000 });
    try {
      const client = new KilnClient({ url: server.url });
      await client.login(ROOT_USER, ROOT_PASSWORD);
      expect(await client.collection('c').put('k', { a: 1 })).toEqual({ key: 'k', _v: 1, durable: false, created: true });
      expect((await client.collection('c').patch('k', { b: 1 })).durable).toBe(false);
      expect((await client.transaction([{ op: 'delete', collection: 'c', key: 'k' }])).durable).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
