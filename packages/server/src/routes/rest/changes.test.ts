import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopedToken, startRestServer, type TestServer } from './test-support/http.js';
import { openSse } from './test-support/sse.js';

interface ChangeData {
  seq: number;
  txId?: string;
  entries: { seq: number; cmd: string; collection: string; key: string; value: unknown; _t: number }[];
}

const dataOf = (data: string): ChangeData => JSON.parse(data) as ChangeData;

describe('GET /collections/:c/changes (server-sent events)', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    ({ server, token } = await startRestServer());
  });
  afterAll(async () => {
    await server.stop();
  });

  it("streams the collection's live commits with id = commit seq, and only that collection's", async () => {
    const openedAt = server.db.seq;
    const stream = await openSse(`${server.url}/collections/live/changes`, token);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toContain('text/event-stream');
      await server.db.collection('other').set('x', { n: 0 });
      await server.db.collection('live').set('a', { n: 1 });
      const seqAfterA = server.db.seq;
      await server.db.collection('live').delete('a');

      const first = await stream.next();
      // The stream opened with where it starts, so a client can resume from there even before any change.
      expect(stream.readies).toEqual([{ event: 'ready', id: String(openedAt), data: JSON.stringify({ seq: openedAt }) }]);
      expect(first.event).toBe('change');
      expect(first.id).toBe(String(seqAfterA));
      const data = dataOf(first.data);
      expect(data.seq).toBe(seqAfterA);
      expect(data.entries).toHaveLength(1);
      expect(data.entries[0]).toMatchObject({ cmd: 'INSERT', collection: 'live', key: 'a', value: { _key: 'a', _v: 1, n: 1 } });

      const second = await stream.next();
      expect(dataOf(second.data).entries[0]).toMatchObject({ cmd: 'DELETE', collection: 'live', key: 'a', value: null });
      expect(Number(second.id)).toBe(server.db.seq);
      expect(await stream.quietFor(150)).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('sends a transaction as one event holding its entries', async () => {
    const stream = await openSse(`${server.url}/collections/tx/changes`, token);
    try {
      await server.db.transaction(async (tx) => {
        await tx.collection('tx').set('one', { n: 1 });
        await tx.collection('tx').set('two', { n: 2 });
        await tx.collection('elsewhere').set('three', { n: 3 });
      });
      const event = dataOf((await stream.next()).data);
      expect(event.seq).toBe(server.db.seq);
      expect(typeof event.txId).toBe('string');
      expect(event.entries.map((entry) => entry.key)).toEqual(['one', 'two']);
    } finally {
      stream.close();
    }
  });

  it('sends history after ?since= first, and resumes after Last-Event-ID (which wins over since)', async () => {
    const hist = server.db.collection('hist');
    const start = server.db.seq;
    await hist.set('k1', { n: 1 });
    const seq1 = server.db.seq;
    await hist.set('k2', { n: 2 });
    const seq2 = server.db.seq;
    await hist.set('k3', { n: 3 });
    const seq3 = server.db.seq;

    const all = await openSse(`${server.url}/collections/hist/changes?since=${start}`, token);
    try {
      const ids = [(await all.next()).id, (await all.next()).id, (await all.next()).id];
      expect(ids).toEqual([String(seq1), String(seq2), String(seq3)]);
      // History, then live: a new write arrives on the same stream.
      await hist.set('k4', { n: 4 });
      expect(dataOf((await all.next()).data).entries[0]?.key).toBe('k4');
    } finally {
      all.close();
    }

    const resumed = await openSse(`${server.url}/collections/hist/changes?since=${start}`, token, { 'last-event-id': String(seq2) });
    try {
      const next = await resumed.next();
      expect(next.id).toBe(String(seq3));
      expect(dataOf(next.data).entries[0]?.key).toBe('k3');
    } finally {
      resumed.close();
    }
  });

  it('answers 400 for a bad since or Last-Event-ID, 401 without a token, 403 without read access', async () => {
    const badSince = await openSse(`${server.url}/collections/hist/changes?since=-1`, token);
    expect(badSince.status).toBe(400);
    const badId = await openSse(`${server.url}/collections/hist/changes`, token, { 'last-event-id': 'abc' });
    expect(badId.status).toBe(400);
    expect(badId.errorBody).toMatchObject({ statusCode: 400, detail: { header: 'last-event-id' } });
    expect((await openSse(`${server.url}/collections/hist/changes`, undefined)).status).toBe(401);
    const other = await scopedToken(server, token, ['read:other:*']);
    expect((await openSse(`${server.url}/collections/hist/changes`, other)).status).toBe(403);
    expect((await openSse(`${server.url}/collections/bad%20name/changes`, token)).status).toBe(400);
  });

  it('GET /changes sends every collection the token may read, and nothing else', async () => {
    const scoped = await scopedToken(server, token, ['read:mine:*']);
    const mine = await openSse(`${server.url}/changes`, scoped);
    const everything = await openSse(`${server.url}/changes`, token);
    try {
      await server.db.collection('theirs').set('t', { n: 1 });
      await server.db.collection('mine').set('m', { n: 1 });
      const seen = dataOf((await mine.next()).data);
      expect(seen.entries.map((entry) => `${entry.collection}/${entry.key}`)).toEqual(['mine/m']);
      const first = dataOf((await everything.next()).data);
      const second = dataOf((await everything.next()).data);
      expect([first, second].map((event) => event.entries[0]?.collection)).toEqual(['theirs', 'mine']);
    } finally {
      mine.close();
      everything.close();
    }
  });
  it('GET /changes gives a key-scoped token its documents only, not collection-wide entries', async () => {
    const keyOnly = await scopedToken(server, token, ['read:scoped:mine']);
    const stream = await openSse(`${server.url}/changes`, keyOnly);
    try {
      const scoped = server.db.collection('scoped');
      await scoped.set('other', { n: 1 });
      await scoped.createIndex('mine');
      await scoped.set('mine', { n: 2 });
      const event = dataOf((await stream.next()).data);
      expect(event.entries.map((entry) => `${entry.cmd} ${entry.key}`)).toEqual(['INSERT mine']);
      expect(await stream.quietFor(150)).toBe(true);
    } finally {
      stream.close();
    }
  });
});

describe('the change feed after compaction and at close', () => {
  it('answers 410 naming the oldest seq still served once compaction removed the history asked for', async () => {
    const { server, token } = await startRestServer();
    try {
      const c = server.db.collection('old');
      for (let i = 0; i < 5; i++) await c.set(`k${i}`, { i });
      await server.db.compact();
      await c.set('after', { i: 99 });
      const gone = await openSse(`${server.url}/collections/old/changes?since=0`, token);
      expect(gone.status).toBe(410);
      expect(gone.errorBody).toMatchObject({ statusCode: 410, detail: { since: 0 } });
      const oldest = (gone.errorBody as { detail: { oldestAvailableSeq: number } }).detail.oldestAvailableSeq;
      expect(oldest).toBeGreaterThan(0);

      // Resuming from the oldest seq still served works.
      const ok = await openSse(`${server.url}/collections/old/changes?since=${oldest}`, token);
      try {
        expect(ok.status).toBe(200);
        expect(dataOf((await ok.next()).data).entries[0]?.key).toBe('after');
      } finally {
        ok.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('stops reading changes when the client goes away', async () => {
    const { server, token } = await startRestServer();
    try {
      // The database's change listeners: one more per open stream.
      const listeners = (): number => server.db.stats().changeListeners;
      const before = listeners();
      const stream = await openSse(`${server.url}/collections/a/changes`, token);
      expect(listeners()).toBe(before + 1);
      stream.close();
      for (let i = 0; i < 100 && listeners() > before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(listeners()).toBe(before);

      // Also after history was sent and read.
      const since = server.db.seq;
      await server.db.collection('a').set('k', { n: 1 });
      const reading = await openSse(`${server.url}/collections/a/changes?since=${since}`, token);
      expect((await reading.next()).event).toBe('change');
      reading.close();
      for (let i = 0; i < 100 && listeners() > before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(listeners()).toBe(before);
    } finally {
      await server.stop();
    }
  });

  // A plain stop(): the streams still open must not hold it up.
  it('does not hold up closing the server: open streams are ended', async () => {
    const { server, token } = await startRestServer();
    const streams = [await openSse(`${server.url}/collections/a/changes`, token), await openSse(`${server.url}/changes`, token)];
    expect(streams.map((stream) => stream.status)).toEqual([200, 200]);
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    for (const stream of streams) await stream.ended(2000);
  });
});
