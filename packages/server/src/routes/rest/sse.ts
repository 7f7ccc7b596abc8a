import { PassThrough } from 'node:stream';

/** Heartbeat comments keep proxies and idle timeouts from cutting a quiet stream. */
export const HEARTBEAT_MS = 15_000;

/** One server-sent event's text: `id:` (so a client resumes with Last-Event-ID), `event:`, one `data:` line of JSON. */
export function sseEvent(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export interface SseSource<T> {
  /** The items to send, e.g. a database change iterator; `return()` is called when the stream stops. */
  readonly iterator: AsyncIterator<T>;
  /** A `next()` already started on the iterator (the route waits on it to answer 410 before streaming). */
  readonly first?: Promise<IteratorResult<T>>;
  /** The event for an item, or undefined to skip it. */
  readonly render: (item: T) => string | undefined;
  /** Text for an error the iterator throws mid-stream (sent as the last event). */
  readonly renderError: (error: unknown) => string;
  readonly heartbeatMs: number;
  /** Sent first; it also flushes the headers, so the client knows the stream is open before any item. */
  readonly opening: string;
}

/** A live event stream: the body to send, and `stop()` to end it (idempotent). */
export interface SseStream {
  readonly body: PassThrough;
  stop(): void;
  /** Resolves when the stream has stopped and its iterator was told to return. */
  readonly stopped: Promise<void>;
}

/**
 * Pumps `source` into a text/event-stream body with heartbeats, waiting for the client to drain a full
 * buffer. It stops (ending the body and returning the iterator) when the iterator ends or throws, or when
 * `stop()` is called: on client disconnect and at server close.
 */
export function startSseStream<T>(source: SseSource<T>): SseStream {
  const body = new PassThrough();
  let running = true;
  const isRunning = (): boolean => running;
  let wake: (() => void) | undefined;
  const heartbeat = setInterval(() => {
    if (running) body.write(': heartbeat\n\n');
  }, source.heartbeatMs);
  heartbeat.unref();
  const stop = (): void => {
    if (!running) return;
    running = false;
    clearInterval(heartbeat);
    wake?.();
    void source.iterator.return?.().catch(() => undefined);
    body.end();
  };
  body.on('close', stop);
  body.write(source.opening);

  const pump = async (): Promise<void> => {
    let next = source.first ?? source.iterator.next();
    while (running) {
      // A next() still pending when the stream stops may reject later; that is not an error anyone awaits.
      next.catch(() => undefined);
      // Waiting is cut short by stop(): a quiet iterator must not keep a stopped stream's pump alive.
      const result = await Promise.race([next, new Promise<undefined>((resolve) => {
          wake = () => {
            resolve(undefined);
          };
        })]);
      if (result === undefined || result.done === true || !isRunning()) break;
      const text = source.render(result.value);
      if (text !== undefined && !body.write(text)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          body.once('drain', resolve);
        });
      }
      next = source.iterator.next();
    }
  };
  const stopped = pump().then(
    () => {
      stop();
    },
    (error: unknown) => {
      if (running) body.write(source.renderError(error));
      stop();
    },
  );
  return { body, stop, stopped };
}
