import type { KilnClient, SubscribeOptions, Subscription, WsChangeEvent } from '@kilndb/server/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveFeed } from './live-feed.js';

/** Stands in for the browser's WebSocket: LiveFeed subclasses it to hear 'close'. */
class FakeSocket extends EventTarget {
  static made: FakeSocket[] = [];
  constructor(readonly url: string) {
    super();
    FakeSocket.made.push(this);
  }
  drop(): void {
    this.dispatchEvent(new Event('close'));
  }
}

/** A client whose subscribe builds the socket it is given and lets the test accept it and send changes. */
function fakeClient() {
  const opened: { onEvent: (event: WsChangeEvent) => void; accept: () => void }[] = [];
  const client = {
    subscribe(onEvent: (event: WsChangeEvent) => void, options: SubscribeOptions): Subscription {
      if (options.WebSocket === undefined) throw new Error('expected a WebSocket class');
      new options.WebSocket('ws://test/ws');
      let accept = (): void => undefined;
      const ready = new Promise<void>((resolve) => {
        accept = resolve;
      });
      opened.push({ onEvent, accept });
      return { ready, close: () => undefined };
    },
  };
  return { client: client as unknown as KilnClient, opened };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.made = [];
  vi.stubGlobal('WebSocket', FakeSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('LiveFeed', () => {
  it('goes live, keeps the newest changes first, and reconnects after the socket closes', async () => {
    const { client, opened } = fakeClient();
    const feed = new LiveFeed(client);
    const heard: (string | undefined)[] = [];
    feed.listen((item) => heard.push(item?.key));
    feed.start();
    expect(feed.status).toBe('connecting');
    opened[0]?.accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(feed.status).toBe('live');
    opened[0]?.onEvent({ event: 'change', collection: 'laptops', key: 'lp1', new_v: 2 });
    opened[0]?.onEvent({ event: 'change', collection: 'laptops', key: 'lp2', new_v: null });
    expect(feed.items.map((item) => item.key)).toEqual(['lp2', 'lp1']);
    expect(heard).toEqual([undefined, 'lp1', 'lp2']);

    FakeSocket.made[0]?.drop();
    expect(feed.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(opened).toHaveLength(2);
    opened[1]?.accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(feed.status).toBe('live');
    feed.stop();
    FakeSocket.made[1]?.drop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(opened).toHaveLength(2);
  });

  it('keeps only the last 50 changes', () => {
    const { client, opened } = fakeClient();
    const feed = new LiveFeed(client);
    feed.start();
    for (let i = 0; i < 60; i += 1) opened[0]?.onEvent({ event: 'change', collection: 'c', key: `k${i}`, new_v: 1 });
    expect(feed.items).toHaveLength(50);
    expect(feed.items[0]?.key).toBe('k59');
    feed.stop();
  });
});
