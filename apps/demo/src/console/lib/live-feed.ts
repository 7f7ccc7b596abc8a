import type { KilnClient, Subscription, WsChangeEvent } from '@kilndb/server/client';

/** A change as the console shows it: the `/ws` frame plus when it arrived. */
export interface FeedItem extends WsChangeEvent {
  readonly id: number;
  readonly at: number;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

type Listener = (item: FeedItem | undefined) => void;

const KEEP = 50;
const RETRY_MS = [500, 1000, 2000, 5000];

/**
 * One `/ws` subscription for the whole console, shared by the pages: keeps the last 50 changes (so the
 * overview shows what happened while another page was open) and reconnects with backoff when the socket drops.
 */
export class LiveFeed {
  status: FeedStatus = 'connecting';
  items: readonly FeedItem[] = [];
  private readonly listeners = new Set<Listener>();
  private subscription: Subscription | undefined;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  private stopped = false;

  constructor(private readonly client: KilnClient) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.subscription?.close();
    this.subscription = undefined;
  }

  /** Calls `listener` with each change (and with undefined when only the status changed). Returns the unsubscribe. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private connect(): void {
    if (this.stopped) return;
    let subscription: Subscription | undefined;
    const onDrop = (): void => {
      if (subscription !== undefined) this.dropped(subscription);
    };
    // The client reports errors but not a socket closed after login (a server restart); listening for
    // 'close' beside the client's own handler catches both.
    const Tracked = class extends WebSocket {
      constructor(url: string) {
        super(url);
        this.addEventListener('close', onDrop);
      }
    };
    try {
      subscription = this.client.subscribe((event) => { this.receive(event); }, { onError: onDrop, WebSocket: Tracked });
    } catch {
      this.scheduleRetry();
      return;
    }
    this.subscription = subscription;
    subscription.ready.then(
      () => {
        if (this.subscription !== subscription) return;
        this.retries = 0;
        this.setStatus('live');
      },
      () => undefined,
    );
  }

  private dropped(subscription: Subscription): void {
    if (this.subscription !== subscription || this.stopped) return;
    this.subscription = undefined;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.setStatus('reconnecting');
    const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)] ?? 5000;
    this.retries += 1;
    this.retryTimer = setTimeout(() => { this.connect(); }, delay);
  }

  private receive(event: WsChangeEvent): void {
    const item: FeedItem = { ...event, id: this.nextId++, at: Date.now() };
    this.items = [item, ...this.items].slice(0, KEEP);
    for (const listener of this.listeners) listener(item);
  }

  private setStatus(status: FeedStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(undefined);
  }
}
