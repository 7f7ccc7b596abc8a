import { postJson } from '../../cli/test-support/run-cli.js';

/** Keys whose `POST /set` answered 200, with the document each wrote. */
export type Acknowledged = Map<string, { w: number; i: number; tag: string }>;

/**
 * `writers` concurrent loops of `POST /set`, one new key per request, until a request fails (the server
 * went away), `stop()` is called, or a loop has made `maxPerWriter` requests. Every 200 is recorded.
 */
export function writeStream(url: string, token: string, tag: string, writers: number, maxPerWriter: number): {
  readonly acknowledged: Acknowledged;
  readonly failures: string[];
  stop(): void;
  readonly done: Promise<void>;
} {
  const acknowledged: Acknowledged = new Map();
  const failures: string[] = [];
  let stopped = false;
  const loop = async (w: number): Promise<void> => {
    for (let i = 0; i < maxPerWriter && !stopped; i++) {
      const key = `${tag}-w${w}-${i}`;
      const doc = { w, i, tag };
      try {
        const reply = await postJson(`${url}/set`, { collection: 'stream', data: { [key]: doc } }, token);
        if (reply.status === 200) acknowledged.set(key, doc);
        else {
          failures.push(`${key}: ${reply.status} ${JSON.stringify(reply.body)}`);
          return;
        }
      } catch (error) {
        failures.push(`${key}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, (_v, w) => loop(w))).then(() => undefined);
  return {
    acknowledged,
    failures,
    stop: () => {
      stopped = true;
    },
    done,
  };
}
