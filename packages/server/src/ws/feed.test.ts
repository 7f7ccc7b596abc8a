import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { type RawData } from 'ws';
import { rootToken, startTestServer } from '../test-support/server.js';
import { AUTH_TIMEOUT_MS, MAX_PENDING_PER_ADDRESS, TOKEN_CHECK_INTERVAL_MS } from './feed.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
type Frame = Record<string, unknown>;

/** A /ws client that queues every text frame and records how the socket closed. */
class FeedClient {
  private readonly frames: Frame[] = [];
  private readonly waiting: ((frame: Frame) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData, isBinary) => {
      expect(isBinary).toBe(false);
      const frame = JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as Frame;
      const waiter = this.waiting.shift();
      if (waiter === undefined) this.frames.push(frame);
      else waiter(frame);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  static async connect(url: string): Promise<FeedClient> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    const client = new FeedClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    return client;
  }

  static async authenticated(url: string, token: string): Promise<FeedClient> {
    const client = await FeedClient.connect(url);
    client.socket.send(JSON.stringify({ action: 'AUTH', token }));
    expect(await client.next()).toMatchObject({ status: 'authenticated' });
    return client;
  }

  /** The next frame, failing after `timeoutMs`. */
  next(timeoutMs = 3000): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(onFrame), 1);
        reject(new Error(`no frame within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      const onFrame = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiting.push(onFrame);
    });
  }

  /** How the socket closed, failing after `timeoutMs`. */
  closedWithin(timeoutMs: number): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(new Error(`not closed within ${String(timeoutMs)} ms`));
        }, timeoutMs).unref();
      }),
    ]);
  }

  close(): void {
    this.socket.close();
  }
}

describe('GET /ws change feed', () => {
  let server: TestServer;
  let root: string;

  async function delegate(scopes: string[], ttlSecs = 600): Promise<{ token: string; jti: string }> {
    const response = await fetch(`${server.url}/auth/delegate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'watcher', scopes, ttl_secs: ttlSecs }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { token: string; jti: string };
  }

  beforeAll(async () => {
    server = await startTestServer();
    root = await rootToken(server.url);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers a plain GET (no upgrade) with 426', async () => {
    const response = await fetch(`${server.url}/ws`);
    expect(response.status).toBe(426);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/WebSocket client/) as string, statusCode: 426 });
  });

  it('refuses a connection past MAX_PENDING_PER_ADDRESS unauthenticated ones from the same address, and takes one again once one authenticates', async () => {
    const waiting = await Promise.all(Array.from({ length: MAX_PENDING_PER_ADDRESS }, () => FeedClient.connect(server.url)));
    try {
      const extra = await FeedClient.connect(server.url);
      expect(await extra.next()).toMatchObject({ error: 'too_many_pending' });
      expect((await extra.closedWithin(3000)).code).toBe(1013);

      const first = waiting[0] as FeedClient;
      first.socket.send(JSON.stringify({ action: 'AUTH', token: root }));
      expect(await first.next()).toMatchObject({ status: 'authenticated' });
      const again = await FeedClient.connect(server.url);
      again.socket.send(JSON.stringify({ action: 'AUTH', token: root }));
      expect(await again.next()).toMatchObject({ status: 'authenticated' });
      again.close();
    } finally {
      for (const client of waiting) client.close();
    }
  });

  it('answers the AUTH frame with the token subject and scopes', async () => {
    const client = await FeedClient.connect(server.url);
    client.socket.send(JSON.stringify({ action: 'AUTH', token: root }));
    expect(await client.next()).toMatchObject({ status: 'authenticated', sub: 'root', scopes: ['*:*:*'] });
    client.close();
  });

  it('sends one change per written key: new_v the version, null for a delete, key * for a drop', async () => {
    const client = await FeedClient.authenticated(server.url, root);
    const items = server.db.collection('items');
    await items.set('k1', { n: 1 });
    expect(await client.next()).toEqual({ event: 'change', collection: 'items', key: 'k1', new_v: 1 });
    await items.update('k1', { n: 2 });
    expect(await client.next()).toEqual({ event: 'change', collection: 'items', key: 'k1', new_v: 2 });
    await server.db.transaction(async (tx) => {
      await tx.collection('items').set('k2', { n: 3 });
      await tx.collection('items').set('k3', { n: 4 });
    });
    expect([await client.next(), await client.next()]).toEqual([
      { event: 'change', collection: 'items', key: 'k2', new_v: 1 },
      { event: 'change', collection: 'items', key: 'k3', new_v: 1 },
    ]);
    await items.delete('k1');
    expect(await client.next()).toEqual({ event: 'change', collection: 'items', key: 'k1', new_v: null });
    await items.drop();
    expect(await client.next()).toEqual({ event: 'change', collection: 'items', key: '*', new_v: null });
    client.close();
  });

  it('keeps sending after every listener left and a new one came (the feed listens only while a socket is authenticated)', async () => {
    const first = await FeedClient.authenticated(server.url, root);
    first.close();
    await first.closedWithin(3000);
    // The server sees the close a moment after the client does: wait (at most 2 s) until it counts no socket.
    const openSockets = async () => /kilndb_websocket_connections (\d+)/.exec(await server.app.metrics.exposition())?.[1];
    for (let i = 0; i < 40 && (await openSockets()) !== '0'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await openSockets()).toBe('0');
    // Nobody listens now: this write goes unheard.
    await server.db.collection('relisten').set('unheard', { n: 0 });
    const second = await FeedClient.authenticated(server.url, root);
    await server.db.collection('relisten').set('heard', { n: 1 });
    expect(await second.next()).toEqual({ event: 'change', collection: 'relisten', key: 'heard', new_v: 1 });
    second.close();
  });

  it('sends only what the token may read: its collection, its keys, never for a write-only scope', async () => {
    const collectionReader = await FeedClient.authenticated(server.url, (await delegate(['read:a:*'])).token);
    const prefixReader = await FeedClient.authenticated(server.url, (await delegate(['read:a:store_A_*'])).token);
    const writer = await FeedClient.authenticated(server.url, (await delegate(['write:a:*', 'write:b:*'])).token);
    // Commits arrive in order, so each reader's first frame shows the earlier writes were held back.
    await server.db.collection('b').set('x', { n: 1 });
    await server.db.collection('a').set('store_B_1', { n: 1 });
    await server.db.collection('a').set('store_A_1', { n: 1 });
    expect(await collectionReader.next()).toMatchObject({ collection: 'a', key: 'store_B_1' });
    expect(await collectionReader.next()).toMatchObject({ collection: 'a', key: 'store_A_1' });
    expect(await prefixReader.next()).toMatchObject({ collection: 'a', key: 'store_A_1' });
    await server.db.collection('a').drop();
    expect(await collectionReader.next()).toMatchObject({ collection: 'a', key: '*' });
    expect(await prefixReader.next()).toMatchObject({ collection: 'a', key: '*' });
    await expect(writer.next(300)).rejects.toThrow(/no frame/);
    for (const client of [collectionReader, prefixReader, writer]) client.close();
  });

  it.each([
    ['not JSON', 'hello', 'invalid_message'],
    ['another action', JSON.stringify({ action: 'SUBSCRIBE', collection: 'a' }), 'invalid_action'],
    ['no token', JSON.stringify({ action: 'AUTH' }), 'missing_token'],
    ['a forged token', JSON.stringify({ action: 'AUTH', token: 'e30.e30.AAAA' }), 'invalid_token'],
  ])('a first frame with %s gets one {error, detail} frame and a close', async (_name, frame, error) => {
    const client = await FeedClient.connect(server.url);
    client.socket.send(frame);
    const answer = await client.next();
    expect(answer).toEqual({ error, detail: expect.any(String) as string });
    expect((await client.closedWithin(3000)).code).toBe(1008);
  });

  it('refuses a binary first frame and a revoked token', async () => {
    const binary = await FeedClient.connect(server.url);
    binary.socket.send(Buffer.from(JSON.stringify({ action: 'AUTH', token: root })), { binary: true });
    expect(await binary.next()).toMatchObject({ error: 'invalid_message' });
    await binary.closedWithin(3000);
    const { token, jti } = await delegate(['read:*:*']);
    await server.app.inject({ method: 'DELETE', url: `/auth/tokens/${jti}`, headers: { authorization: `Bearer ${root}` } });
    const revoked = await FeedClient.connect(server.url);
    revoked.socket.send(JSON.stringify({ action: 'AUTH', token }));
    expect(await revoked.next()).toEqual({ error: 'token_revoked', detail: 'Token has been revoked' });
    await revoked.closedWithin(3000);
  });

  it(
    'closes an open socket within the check interval once its token is revoked',
    async () => {
      const { token, jti } = await delegate(['read:*:*']);
      const client = await FeedClient.authenticated(server.url, token);
      const revokedAt = Date.now();
      const answer = await fetch(`${server.url}/auth/tokens/${jti}`, { method: 'DELETE', headers: { authorization: `Bearer ${root}` } });
      expect(answer.status).toBe(200);
      expect(await client.next(TOKEN_CHECK_INTERVAL_MS + 2000)).toMatchObject({ error: 'token_revoked' });
      expect((await client.closedWithin(2000)).code).toBe(1008);
      expect(Date.now() - revokedAt).toBeLessThan(30_000);
    },
    TOKEN_CHECK_INTERVAL_MS + 8000,
  );

  it(
    'closes an open socket once its token expires',
    async () => {
      // 3 s, not 1: on a loaded machine a 1-second token could expire before the AUTH frame was answered.
      const client = await FeedClient.authenticated(server.url, (await delegate(['read:*:*'], 3)).token);
      expect(await client.next(TOKEN_CHECK_INTERVAL_MS + 5000)).toMatchObject({ error: 'token_expired' });
      await client.closedWithin(2000);
    },
    TOKEN_CHECK_INTERVAL_MS + 10_000,
  );

  it(
    'closes a socket that sends no AUTH frame in time',
    async () => {
      const client = await FeedClient.connect(server.url);
      expect(await client.next(AUTH_TIMEOUT_MS + 2000)).toMatchObject({ error: 'auth_timeout' });
      await client.closedWithin(2000);
    },
    AUTH_TIMEOUT_MS + 5000,
  );
});

describe('GET /ws and the metrics', () => {
  it('reports open connections to kilndb_websocket_connections', async () => {
    const server = await startTestServer();
    try {
      const root = await rootToken(server.url);
      const gauge = async () => {
        const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${root}` } })).text();
        return /^kilndb_websocket_connections (\d+)$/m.exec(text)?.[1];
      };
      expect(await gauge()).toBe('0');
      const clients = [await FeedClient.authenticated(server.url, root), await FeedClient.connect(server.url)];
      expect(await gauge()).toBe('2');
      for (const client of clients) client.close();
      await Promise.all(clients.map((client) => client.closedWithin(2000)));
      // The server sees the close a moment after the client: poll, bounded.
      for (let i = 0; i < 20 && (await gauge()) !== '0'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await gauge()).toBe('0');
    } finally {
      await server.stop();
    }
  });
});

describe('GET /ws on close', () => {
  it('closes every socket with 1001 when the server stops', async () => {
    const server = await startTestServer();
    const client = await FeedClient.authenticated(server.url, await rootToken(server.url));
    const pending = await FeedClient.connect(server.url);
    const started = Date.now();
    await server.stop();
    expect((await client.closedWithin(2000)).code).toBe(1001);
    expect((await pending.closedWithin(2000)).code).toBe(1001);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
