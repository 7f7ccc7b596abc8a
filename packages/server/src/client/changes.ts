import { httpErrorFor, isRecord } from './errors.js';
import type { Transport } from './http.js';
import { SseParser, type SseMessage } from './sse.js';
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
      for await (const message of messages(body, signal)) {
        if (message.event === 'ready') {
          // Where the stream starts: a drop before the first change resumes from here, not from "now".
          lastId = message.id ?? lastId;
        } else if (message.event === 'change') {
          const event = parseEvent(message.data);
          retried = false;
          lastId = String(event.seq);
          yield event;
        } else if (message.event === 'error') {
          // The server ended the feed with a reason (history compacted away, database closing).
          throw httpErrorFor(statusOf(message.data), parseJson(message.data));
        }
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

async function* messages(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    cancel();
  }
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function statusOf(data: string): number {
  const body = parseJson(data);
  return isRecord(body) && typeof body.statusCode === 'number' ? body.statusCode : 503;
}

function parseEvent(data: string): ChangeEvent {
  const parsed: unknown = JSON.parse(data);
  if (!isRecord(parsed) || typeof parsed.seq !== 'number' || !Array.isArray(parsed.entries)) {
    throw new TypeError('The change feed sent an event that is not a commit');
  }
  return parsed as unknown as ChangeEvent;
}
