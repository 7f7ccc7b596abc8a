import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer } from './test-support/server.js';

describe('KilnServer.close', () => {
  it('is not held up by a connection that never sent a request, nor by an idle keep-alive one', async () => {
    const server = await startTestServer();
    const { port } = new URL(server.url);
    const silent: Socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => silent.once('connect', () => { resolve(); }));
    const health = await fetch(`${server.url}/system/health`); // leaves a pooled keep-alive socket behind
    expect(health.status).toBe(200);
    const outcome = await Promise.race([
      server.stop().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => { resolve('still open after 10 s'); }, 10_000).unref()),
    ]);
    silent.destroy();
    expect(outcome).toBe('closed');
  }, 20_000);
});

describe('inlineSync', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [undefined, 0],
    [true, 1],
  ])('with inlineSync %s, a lone writer syncs on the event loop %s+ times', async (inlineSync, atLeast) => {
    // Every sync appears quick, so the disk under the test runner cannot decide it.
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 0.05));
    const server = await startTestServer(inlineSync === undefined ? {} : { inlineSync });
    try {
      for (let i = 0; i < 30; i++) await server.db.collection('c').set(`k${String(i)}`, { i });
      const { syncs, inlineSyncs } = server.db.stats().log;
      expect(syncs).toBeGreaterThanOrEqual(30);
      if (atLeast === 0) expect(inlineSyncs).toBe(0);
      else expect(inlineSyncs).toBeGreaterThanOrEqual(atLeast);
    } finally {
      await server.stop();
    }
  });
});
