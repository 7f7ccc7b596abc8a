import { checkKey, readView, type ReadDoc } from './documents.js';
import type { LogEntry } from './log-entry.js';
import type { DocumentState } from './state.js';
import { deleteOp, insertOps, resultOf, setOp, updateOp, type InsertInput, type VersionGuard, type WriteResult } from './write-ops.js';
import type { WriteOp } from './write-plan.js';

/** The part of the database a collection handle works through. */
export interface CollectionEngine {
  readonly state: DocumentState;
  assertOpen(): void;
  /**
   * Commits `ops` atomically (planned in order against the committed state) and resolves, once durable and
   * applied, with each op's log entry (undefined for an op that changed nothing).
   */
  commitOps(ops: readonly WriteOp[]): Promise<readonly (LogEntry | undefined)[]>;
}

/**
 * A named set of documents. Reads are synchronous and see every committed write; writes resolve once
 * they are durable (per the database's durability) and visible to reads.
 */
export class Collection<T extends object = Record<string, unknown>> {
  constructor(
    private readonly engine: CollectionEngine,
    readonly name: string,
  ) {}

  /** The document at `key` with `_key` and `_v`, or undefined. Nested objects are frozen (shared with the engine). */
  get(key: string): ReadDoc<T> | undefined {
    this.engine.assertOpen();
    const doc = this.engine.state.doc(this.name, checkKey(key));
    return doc === undefined ? undefined : (readView(doc) as ReadDoc<T>);
  }

  keys(): string[] {
    this.engine.assertOpen();
    return [...(this.engine.state.collections.get(this.name)?.docs.keys() ?? [])];
  }

  count(): number {
    this.engine.assertOpen();
    return this.engine.state.collections.get(this.name)?.docs.size ?? 0;
  }

  /** Stores `doc` at `key`, replacing what was there. A `_v` in `doc` (or `expectedVersion`) must match the current version. */
  async set(key: string, doc: T, options?: VersionGuard): Promise<WriteResult> {
    const [entry] = await this.engine.commitOps([setOp(this.name, key, doc, options)]);
    return resultOf(entry as LogEntry);
  }

  /** Merges `patch` over the document's top-level fields. Throws DocumentNotFoundError when the key is absent. */
  async update(key: string, patch: Partial<T>, options?: VersionGuard): Promise<WriteResult> {
    const [entry] = await this.engine.commitOps([updateOp(this.name, key, patch, options)]);
    return resultOf(entry as LogEntry);
  }

  /** Stores several documents atomically and returns their keys, in input order. */
  async insert(docs: InsertInput<T>): Promise<string[]> {
    const ops = insertOps(this.name, docs);
    await this.engine.commitOps(ops);
    return ops.map((op) => (op as { key: string }).key);
  }

  /** Removes the document at `key`; resolves false when there was none. */
  async delete(key: string, options?: VersionGuard): Promise<boolean> {
    const [entry] = await this.engine.commitOps([deleteOp(this.name, key, options)]);
    return entry !== undefined;
  }

  /** Removes the documents at `keys` atomically; resolves with how many existed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const entries = await this.engine.commitOps(keys.map((key) => deleteOp(this.name, key)));
    return entries.filter((entry) => entry !== undefined).length;
  }

  /** Removes the collection with all its documents; resolves false when it did not exist. */
  async drop(): Promise<boolean> {
    const [entry] = await this.engine.commitOps([{ kind: 'drop', collection: this.name }]);
    return entry !== undefined;
  }
}
