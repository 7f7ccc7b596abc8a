import { describe, expect, it } from 'vitest';
import { sseEvent, startSseStream } from './sse.js';

/** An iterator fed by hand, recording whether return() was called. */
function manualIterator<T>() {
  const waiting: ((result: IteratorResult<T>) => void)[] = [];
  const queued: T[] = [];
  const state = { returned: false };
  const iterator: AsyncIterator<T> = {
    next: () => {
      const value = queued.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      return new Promise((resolve) => {
        waiting.push(resolve);
      });
    },
    return: () => {
      state.returned = true;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  const push = (value: T): void => {
    const resolve = waiting.shift();
    if (resolve === undefined) queued.push(value);
    else resolve({ value, done: false });
  };
  return { iterator, push, state };
}

/** Collects what the body emits until `predicate` holds (bounded by time). */
async function readUntil(body: NodeJS.ReadableStream, predicate: (text: string) => boolean, timeoutMs = 2000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out; got ${JSON.stringify(text)}`));
    }, timeoutMs);
    body.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (predicate(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

describe('sseEvent', () => {
  it('writes id, event and one data line of JSON, ending with a blank line', () => {
    expect(sseEvent('change', { a: 'x\ny' }, 7)).toBe('id: 7\nevent: change\ndata: {"a":"x\\ny"}\n\n');
    expect(sseEvent('error', { error: 'e' })).toBe('event: error\ndata: {"error":"e"}\n\n');
  });
});

describe('startSseStream', () => {
  it('sends the opening, rendered items (skipping undefined) and heartbeats', async () => {
    const { iterator, push } = manualIterator<number>();
    const stream = startSseStream({
      iterator,
      render: (n) => (n % 2 === 0 ? sseEvent('change', { n }, n) : undefined),
      renderError: () => '',
      heartbeatMs: 20,
      opening: ': hello\n\n',
    });
    push(1);
    push(2);
    const text = await readUntil(stream.body, (seen) => seen.includes('data: {"n":2}') && seen.includes(': heartbeat'));
    expect(text.startsWith(': hello\n\n')).toBe(true);
    expect(text).not.toContain('"n":1');
    stream.stop();
    await stream.stopped;
  });

  it('stops (returning the iterator) when the body is destroyed, as on a client disconnect', async () => {
    const { iterator, state } = manualIterator<number>();
    const stream = startSseStream({ iterator, render: () => undefined, renderError: () => '', heartbeatMs: 1000, opening: '' });
    stream.body.resume();
    stream.body.destroy();
    await stream.stopped;
    expect(state.returned).toBe(true);
  });

  it('ends with an error event when the iterator throws', async () => {
    const iterator: AsyncIterator<number> = { next: () => Promise.reject(new Error('boom')) };
    const stream = startSseStream({ iterator, render: () => undefined, renderError: (error) => sseEvent('error', { error: (error as Error).message }), heartbeatMs: 1000, opening: '' });
    const text = await readUntil(stream.body, (seen) => seen.includes('event: error'));
    expect(text).toContain('data: {"error":"boom"}');
    await stream.stopped;
  });

  it('stop() ends a stream whose iterator is quiet', async () => {
    const { iterator, state } = manualIterator<number>();
    const stream = startSseStream({ iterator, render: () => undefined, renderError: () => '', heartbeatMs: 1000, opening: '' });
    const ended = new Promise<void>((resolve) => stream.body.on('end', resolve));
    stream.body.resume();
    stream.stop();
    await ended;
    await stream.stopped;
    expect(state.returned).toBe(true);
  });
});
