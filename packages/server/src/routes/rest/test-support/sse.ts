import { SseParser, type SseMessage } from '../../../client/sse.js';

/** An open text/event-stream response read event by event, each wait bounded. */
export interface SseReader {
  readonly status: number;
  readonly headers: Headers;
  /** The response body when it was not a stream (an error). */
  readonly errorBody: unknown;
  /** The `ready` events seen so far (next() skips them). */
  readonly readies: SseMessage[];
  /** The next event other than `ready`; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseMessage>;
  /** Resolves true if no event arrives within `ms`. */
  quietFor(ms: number): Promise<boolean>;
  /** Resolves when the server ends the stream (rejects after `timeoutMs`). */
  ended(timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openSse(url: string, token: string | undefined, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    signal: controller.signal,
  });
  if (!response.ok || response.body === null) {
    return {
      status: response.status,
      headers: response.headers,
      errorBody: JSON.parse(await response.text()) as unknown,
      readies: [],
      next: () => Promise.reject(new Error(`no stream: ${response.status}`)),
      quietFor: () => Promise.resolve(true),
      ended: () => Promise.resolve(),
      close: () => undefined,
    };
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const queue: SseMessage[] = [];
  const readies: SseMessage[] = [];
  let done = false;
  let pending: Promise<void> | undefined;
  // One read at a time; each read fills the queue with whatever events it completes.
  const pull = (): Promise<void> =>
    (pending ??= reader.read().then(
      ({ done: finished, value }) => {
        pending = undefined;
        if (finished) done = true;
        else {
          for (const message of parser.push(decoder.decode(value, { stream: true }))) (message.event === 'ready' ? readies : queue).push(message);
        }
      },
      () => {
        pending = undefined;
        done = true;
      },
    ));
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
    Promise.race([promise, new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
        }, ms);
      })]);
  return {
    status: response.status,
    headers: response.headers,
    errorBody: undefined,
    readies,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < 10_000 && queue.length === 0; i++) {
        if (done) throw new Error('the stream ended');
        await within(pull(), Math.max(1, deadline - Date.now()), 'an event');
      }
      const message = queue.shift();
      if (message === undefined) throw new Error('no event');
      return message;
    },
    async quietFor(ms) {
      const deadline = Date.now() + ms;
      // Chunks that complete no event (heartbeat comments) do not break the quiet.
      for (let i = 0; i < 1000 && queue.length === 0 && !done && Date.now() < deadline; i++) {
        try {
          await within(pull(), Math.max(1, deadline - Date.now()), 'quiet');
        } catch {
          break;
        }
      }
      return queue.length === 0;
    },
    async ended(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < 10_000 && !done; i++) await within(pull(), Math.max(1, deadline - Date.now()), 'the end of the stream');
    },
    close() {
      controller.abort();
    },
  };
}
