import { AGES, CITIES, MIN_AGE, cityName, docKey, makeDoc, scattered, type PeerDoc } from './docs.js';
import { opsPerSecond } from './samples.js';
import type { DocStore } from './store.js';

/** Rows of the suite's table, in print order. */
export const ROW = {
  single: 'durable insert, 1 writer awaiting each',
  concurrent: 'durable insert, 64 concurrent writers',
  concurrentPlain: 'durable insert, 64 concurrent writers, no secondary indexes',
  bulk: 'bulk insert, atomic batches of 1,000',
  bulkPlain: 'bulk insert, atomic batches of 1,000, no secondary indexes',
  get: 'random get by key',
  equality: 'equality on an indexed field (1% of docs)',
  rangeSame: 'range on an indexed field, sorted by it, offset 20, top 10',
  rangeOther: 'range on one indexed field, sorted by another, top 10',
} as const;

export const BATCH = 1000;
export const WRITERS = 64;
const QUERY_BUDGET_MS = 400;
const AGE_SPAN = 20;

let sink = 0;
/** Keeps results alive so no read is optimised away; callers print nothing from it. */
export const consumed = (): number => sink;

/** The documents for a write row, made before the clock starts so only the store's work is timed. */
export function docsFor(from: number, count: number): [string, PeerDoc][] {
  return Array.from({ length: count }, (_, i) => [docKey(from + i), makeDoc(from + i)]);
}

/**
 * `writers` closed-loop writers, each awaiting its own durable insert before taking the next document,
 * until the documents run out or `budgetMs` has passed (a busy disk must not stretch a run to minutes);
 * returns documents per second.
 */
export async function durableWriters(store: DocStore, docs: readonly (readonly [string, PeerDoc])[], writers: number, budgetMs: number): Promise<number> {
  const start = performance.now();
  // performance.now() per write, not hrtime.bigint(): a BigInt per write costs every store's loop an allocation.
  const deadline = start + budgetMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < docs.length && performance.now() < deadline) {
        const [key, doc] = docs[next++] as readonly [string, PeerDoc];
        await store.put(key, doc);
      }
    }),
  );
  return next / ((performance.now() - start) / 1000);
}

/** Loads documents `0 … count - 1` in atomic batches of `BATCH`; returns documents per second (batch calls timed). */
export async function bulkLoad(store: DocStore, count: number): Promise<number> {
  let ns = 0n;
  for (let at = 0; at < count; at += BATCH) {
    const batch = docsFor(at, Math.min(BATCH, count - at));
    const start = process.hrtime.bigint();
    await store.insertBatch(batch);
    ns += process.hrtime.bigint() - start;
  }
  return count / (Number(ns) / 1e9);
}

/** Random gets of loaded keys; returns gets per second. Every key read must be there. */
export function randomGets(store: DocStore, loaded: number, count: number, salt: number): number {
  const keys = scattered(loaded, count, salt).map(docKey);
  const start = process.hrtime.bigint();
  for (const key of keys) {
    const doc = store.get(key) as { age?: number } | undefined;
    if (doc === undefined) throw new Error(`doc-peers: key ${key} missing after the load`);
    sink += doc.age ?? 0;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The query rows a store supports, each as queries per second; the parameters rotate so no answer repeats. */
export function queries(store: DocStore, loaded: number): Partial<Record<keyof typeof ROW, number>> {
  const out: Partial<Record<keyof typeof ROW, number>> = {};
  const matches = equalityMatches(loaded);
  const low = (n: number): number => MIN_AGE + (n % (AGES - AGE_SPAN));
  const { cityEquals, ageRangeByAge, ageRangeByScore } = store;
  if (cityEquals !== undefined) {
    out.equality = opsPerSecond((n) => {
      sink += cityEquals(cityName((n * 37) % CITIES), matches).length;
    }, 3, 10_000, QUERY_BUDGET_MS);
  }
  if (ageRangeByAge !== undefined) {
    out.rangeSame = opsPerSecond((n) => {
      sink += ageRangeByAge(low(n), low(n) + AGE_SPAN, 20, 10).length;
    }, 3, 100_000, QUERY_BUDGET_MS);
  }
  if (ageRangeByScore !== undefined) {
    out.rangeOther = opsPerSecond((n) => {
      sink += ageRangeByScore(low(n), low(n) + AGE_SPAN, 10).length;
    }, 3, 100_000, QUERY_BUDGET_MS);
  }
  return out;
}

/** How many documents an equality query returns at `loaded` documents (1%, capped by KilnDB's count limit). */
export function equalityMatches(loaded: number): number {
  return Math.max(1, Math.min(1000, Math.floor(loaded / CITIES)));
}
