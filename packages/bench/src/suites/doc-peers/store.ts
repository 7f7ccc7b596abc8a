import type { PeerDoc } from './docs.js';

/**
 * What every store in the doc-peers suite offers, each through its own durable path. A query method is
 * absent when the store was opened without secondary indexes: the suite prints "–" rather than timing a scan.
 */
export interface DocStore {
  /**
   * Durable insert of one document: settles once it would survive power loss. Its value is ignored, so a
   * store hands back its own promise rather than one more wrapped around it (an async wrapper costs every
   * store a promise and a turn of the microtask queue per write, which is no store's work).
   */
  put(key: string, doc: PeerDoc): Promise<unknown>;
  /** Durable, atomic insert of a batch of documents. */
  insertBatch(batch: readonly (readonly [string, PeerDoc])[]): Promise<void>;
  /** Leaves the store as a long-running one would be before a restart (KilnDB: compacted to a snapshot). */
  readonly settle?: () => Promise<void>;
  get(key: string): unknown;
  /** Documents whose `city` equals `city`, at most `count`. */
  readonly cityEquals?: (city: string, count: number) => readonly unknown[];
  /** `age` in `[low, high]`, sorted by `age` ascending, `count` after skipping `offset`. */
  readonly ageRangeByAge?: (low: number, high: number, offset: number, count: number) => readonly unknown[];
  /** `age` in `[low, high]`, the `count` with the highest `score`. */
  readonly ageRangeByScore?: (low: number, high: number, count: number) => readonly unknown[];
  close(): Promise<void>;
}

/** One store under test: how to open it here, and how to open it cold in a child process. */
export interface DocPeer {
  readonly name: string;
  /** Opens (creating) the store in `dir`; `indexed: false` leaves out the secondary indexes on age, city and score. */
  open(dir: string, indexed: boolean): Promise<DocStore>;
  /**
   * ES module source for a fresh `node --expose-gc` process that opens the store in `dir` (already
   * loaded with `count` documents), and prints `ColdOpenResult` as JSON. Its `memory` is what opening
   * and then reading every document left in the heap and buffers, minus what was there before the open.
   */
  coldOpenScript(dir: string, count: number): string;
}

export interface ColdOpenResult {
  /** ms from the open call to the first document read back. */
  readonly firstReadMs: number;
  /** ms from the open call to the first indexed query answered; absent without secondary indexes. */
  readonly firstQueryMs?: number;
  /** heapUsed + external (which already holds arrayBuffers) grown after reading every document once, in bytes. */
  readonly memoryBytes: number;
}

/** The child-side measuring code every cold-open script shares: `mark()` then `grown()` after a gc. */
export const MEMORY_PRELUDE = `
  const usage = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.external; };
  const elapsed = (start) => Number(process.hrtime.bigint() - start) / 1e6;
`;

/** The fields every indexed store indexes: equality on city, ranges and sorts on age and score. */
export const INDEXED_FIELDS = ['age', 'city', 'score'] as const;

/** The collection, table or database name every store uses. */
export const COLLECTION = 'docs';
