import { deepFreeze } from './documents.js';
import { DocTable } from './doc-table.js';
import { heldRows, type IndexColumn } from './index-column.js';
import type { LogEntry } from '../log/log-entry.js';
import { compileSchema, type DocumentValidator } from '../query/schema.js';
import { SecondaryIndex } from '../query/secondary-index.js';
import type { JsonValue, StoredDoc } from '../query/types.js';
import type { PlannedEntry, StateView } from '../write/write-plan.js';

export { isHeld, type HeldDoc } from './doc-table.js';

/** One collection in memory. Documents are replaced (never changed) on write. */
export class CollectionState {
  /** Read documents through `get`, which parses those still held as bytes. */
  readonly docs = new DocTable();
  /** Highest `_seq` of any document committed to this collection, deleted ones included. */
  lastSeq = 0;
  /** Counts applied writes, so a transaction that read the whole collection can tell it changed. */
  version = 0;
  schema: JsonValue | undefined;
  /** Index definitions by field path; the indexes themselves are built on first use (`index`). */
  readonly indexes = new Map<string, JsonValue>();
  /** Collection TTL in seconds: the collection expires this long after its last write. */
  ttl: number | undefined;
  /** Capped collection: most documents kept; inserting past it evicts the lowest `_seq` first. */
  maxSize: number | undefined;
  /** `_t` of the last document write (insert, set, update), which collection TTL counts from. */
  lastWriteAt = 0;
  /** Documents carrying their own `_expiresAt`; while 0, no document needs an expiry check. */
  expiring = 0;
  /**
   * Index entries loaded with the snapshot, by field: row i holds what held document slot i reads on the
   * field, so an index is rebuilt without parsing documents still held, and written back without parsing them.
   */
  readonly columns = new Map<string, IndexColumn>();
  private readonly built = new Map<string, SecondaryIndex>();
  private compiled: DocumentValidator | undefined;

  /** The document at `key`, parsed (once) if it is still held as bytes. */
  get(key: string): StoredDoc | undefined {
    const doc = this.docs.doc(key);
    // The index entries only stand in for held documents: once none is, they are dead weight.
    if (this.columns.size > 0 && !this.docs.holding) this.columns.clear();
    return doc;
  }

  /** Unix ms when the whole collection expires (collection TTL), or undefined. */
  get expiresAt(): number | undefined {
    return this.ttl === undefined || this.docs.size === 0 ? undefined : this.lastWriteAt + this.ttl * 1000;
  }

  /** The compiled schema, compiled on first use. */
  get validator(): DocumentValidator | undefined {
    if (this.schema === undefined) return undefined;
    this.compiled ??= compileSchema(this.schema);
    return this.compiled;
  }

  /** The index on `field` if one is defined, built over every document on first use and kept up to date by `apply`. */
  index(field: string): SecondaryIndex | undefined {
    let index = this.built.get(field);
    if (index !== undefined || !this.indexes.has(field)) return index;
    index = new SecondaryIndex(field);
    const column = this.columns.get(field);
    if (column === undefined) {
      this.docs.forEach((held, key) => {
        index.add(key, typeof held !== 'number' ? held : this.get(key));
      });
    } else {
      // A document still held is unchanged since the open: its row in the snapshot's index entry stands for it.
      index.loadRows(heldRows(this.docs, column));
      this.docs.forEachAdded((doc, key) => {
        index.add(key, doc);
      });
    }
    this.built.set(field, index);
    return index;
  }

  /**
   * Records a document write: indexes and expiry counts follow the old and new document. `replaces` is the
   * document held at `key` when the caller knows it (null: none); otherwise it is looked up.
   */
  put(key: string, doc: StoredDoc, replaces?: StoredDoc | null): void {
    const old = this.built.size === 0 && this.expiring === 0 ? undefined : replaces === undefined ? this.get(key) : (replaces ?? undefined);
    for (const index of this.built.values()) {
      if (old === undefined) index.add(key, doc);
      else index.update(key, old, doc);
    }
    if (old?._expiresAt !== undefined) this.expiring--;
    if (doc._expiresAt !== undefined) this.expiring++;
    this.docs.set(key, doc);
  }

  remove(key: string): void {
    if (!this.docs.has(key)) return;
    const old = this.built.size > 0 || this.expiring > 0 ? this.get(key) : undefined;
    if (old !== undefined) {
      for (const index of this.built.values()) index.remove(key, old);
      if (old._expiresAt !== undefined) this.expiring--;
    }
    this.docs.delete(key);
  }

  setSchema(schema: JsonValue | undefined): void {
    this.schema = schema;
    this.compiled = undefined;
  }

  setIndex(field: string, definition: JsonValue | null): void {
    this.built.delete(field);
    this.columns.delete(field);
    if (definition === null) this.indexes.delete(field);
    else this.indexes.set(field, deepFreeze(definition));
  }

  setConfig(name: string, value: JsonValue): void {
    // Unknown names are ignored, so a log written by a later version with more settings still opens.
    const number = typeof value === 'number' ? value : undefined;
    if (name === 'ttl') this.ttl = number;
    else if (name === 'maxSize') this.maxSize = number;
  }
}

/** The settings a CONFIG entry may carry. */
export type ConfigName = 'ttl' | 'maxSize';

/** What a collection's metadata looks like in a snapshot (everything but its documents). */
export interface CollectionMeta {
  readonly lastSeq: number;
  readonly schema?: JsonValue;
  readonly indexes?: Readonly<Record<string, JsonValue>>;
  readonly ttl?: number;
  readonly maxSize?: number;
  readonly lastWriteAt?: number;
  /** How many of the collection's documents carry their own `_expiresAt`. */
  readonly expiring?: number;
}

/**
 * The committed state: every collection and document as of the last applied commit. Writes reach it only
 * through `apply`, after their log entries are durable, in log order; replay uses the same `apply`.
 * Documents are never changed in place. Those built by the engine are frozen when made; those read from
 * disk are frozen the first time they are handed out (`exposeDoc`), so opening a database does not pay
 * for freezing documents nobody reads.
 */
export class DocumentState implements StateView {
  readonly collections = new Map<string, CollectionState>();
  /** `_seq` values handed out to writes still in flight, per collection. */
  private readonly reservedSeq = new Map<string, number>();

  doc(collection: string, key: string): StoredDoc | undefined {
    return this.collections.get(collection)?.get(key);
  }

  hasCollection(collection: string): boolean {
    return this.collections.has(collection);
  }

  /** The next `_seq` for a new document in `collection`; never handed out twice while the collection lives. */
  reserveSeq(collection: string): number {
    const committed = this.collections.get(collection)?.lastSeq ?? 0;
    const next = Math.max(committed, this.reservedSeq.get(collection) ?? 0) + 1;
    this.reservedSeq.set(collection, next);
    return next;
  }

  /** Applies a committed entry (a planned one may carry the document it replaces, sparing a lookup). */
  apply(entry: LogEntry | PlannedEntry): void {
    switch (entry.cmd) {
      case 'INSERT': {
        const doc = entry.value as StoredDoc;
        const state = this.ensure(entry.collection);
        state.put(entry.key, doc, 'replaces' in entry ? entry.replaces : undefined);
        if (doc._seq > state.lastSeq) state.lastSeq = doc._seq;
        if (entry._t > state.lastWriteAt) state.lastWriteAt = entry._t;
        state.version++;
        return;
      }
      case 'DELETE': {
        const state = this.collections.get(entry.collection);
        if (state === undefined) return;
        state.remove(entry.key);
        state.version++;
        return;
      }
      case 'DROP':
        this.collections.delete(entry.collection);
        this.reservedSeq.delete(entry.collection);
        return;
      case 'SCHEMA': {
        const state = this.ensure(entry.collection);
        state.setSchema(entry.value === null ? undefined : deepFreeze(entry.value as JsonValue));
        state.version++;
        return;
      }
      case 'INDEX': {
        const state = this.ensure(entry.collection);
        state.setIndex(entry.key, entry.value as JsonValue);
        state.version++;
        return;
      }
      case 'CONFIG': {
        const state = this.ensure(entry.collection);
        state.setConfig(entry.key, entry.value as JsonValue);
        state.version++;
        return;
      }
      case 'TX_BEGIN':
      case 'TX_COMMIT':
        return;
    }
  }

  /** Restores a collection's metadata from a snapshot (its documents are held through `docs.hold`). */
  restoreCollection(name: string, meta: CollectionMeta): void {
    const state = this.ensure(name);
    state.lastSeq = Math.max(state.lastSeq, meta.lastSeq);
    if (meta.schema !== undefined && meta.schema !== null) state.setSchema(deepFreeze(meta.schema));
    for (const [field, definition] of Object.entries(meta.indexes ?? {})) state.setIndex(field, definition);
    if (meta.ttl !== undefined) state.ttl = meta.ttl;
    if (meta.maxSize !== undefined) state.maxSize = meta.maxSize;
    state.lastWriteAt = Math.max(state.lastWriteAt, meta.lastWriteAt ?? 0);
    state.expiring += meta.expiring ?? 0;
  }

  /** The collection `name`, created empty when missing. */
  ensure(name: string): CollectionState {
    let state = this.collections.get(name);
    if (state === undefined) {
      state = new CollectionState();
      this.collections.set(name, state);
    }
    return state;
  }
}
