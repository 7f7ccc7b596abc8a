import { isRecord } from './errors.js';
import type { Transport } from './http.js';
import { SseParser } from './sse.js';
import type { ChangeEvent, ChangesOptions } from './types.js';

/**
 * The change feed as an async iterator over the server's SSE stream, read with fetch's streaming body.
 * A stream that drops is reopened once with `Last-Event-ID` (so nothing is missed or repeated); a second
 * drop without an event in between ends the iteration with the error. `return()` (a `break` out of
 * `for await`) aborts the request at once, even while a `next()` is waiting.
 */
export class ChangeStream implements AsyncIterableIterator<ChangeEvent> {
  private readonly controller = new AbortController();
  private readonly inner: AsyncGenerator<ChangeEvent, undefined>;

  constructor(transport: Transport, options: ChangesOptions) {
    this.inner = run(transport, options, this.controller.signal);
  }

  next(): Promise<IteratorResult<ChangeEvent, undefined>> {
    return this.inner.next();
  }

  async return(): Promise<IteratorResult<ChangeEvent, undefined>> {
    this.controller.abort();
    return this.inner.return(undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

async function* run(transport: Transport, options: ChangesOptions, signal: AbortSignal): AsyncGenerator<ChangeEvent, undefined> {
  const path = options.collection === undefined ? '/changes' : `/collections/${encodeURIComponent(options.collection)}/changes`;
  let lastId = options.since === undefined ? undefined : String(options.since);
  let retried = false;
  for (;;) {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) };
    let body: ReadableStream<Uint8Array> | null;
    try {
      body = (await transport.send('GET', path, { headers, signal })).body;
      if (body === null) throw new TypeError('The change feed answered without a body');
      for await (const event of events(body, signal)) {
        retried = false;
        lastId = String(event.seq);
        yield event;
      }
    } catch (error) {
      if (signal.aborted) return undefined;
      if (retried || !(error instanceof TypeError)) throw error;
    }
    if (signal.aborted) return undefined;
    // The stream ended or the connection dropped: reopen once where it stopped.
    if (retried) throw new TypeError('The change feed closed and reopening it failed');
    retried = true;
  }
}

async function* events(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<ChangeEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        if (message.event === 'change') yield parseEvent(message.data);
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
}

function parseEvent(data: string): ChangeEvent {
  const parsed: unknown = JSON.parse(data);
  if (!isRecord(parsed) || typeof parsed.seq !== 'number' || !Array.isArray(parsed.entries)) {
    throw new TypeError('The change feed sent an event that is not a commit');
  }
  return parsed as unknown as ChangeEvent;
}
