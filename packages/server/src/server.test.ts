import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
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
