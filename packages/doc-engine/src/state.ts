import { deepFreeze } from './documents.js';
import { DatabaseLayoutError } from './errors.js';
import { heldDocJson } from './held-doc.js';
import type { LogEntry } from './log-entry.js';
import type { JsonValue, StoredDoc } from './query/types.js';
import type { StateView } from './write-plan.js';

/**
 * A document as memory holds it: parsed, or still the snapshot entry it was loaded from (see
 * snapshot-store.ts). Opening a database keeps snapshot documents as bytes and parses each on first use (a
 * later compaction writes untouched ones back as they are), so an open costs a key and a map entry per
 * document, not a parse.
 */
export type HeldDoc = StoredDoc | Uint8Array;

/** One collection in memory. Documents are replaced (never changed) on write. */
export class CollectionState {
  /** Read documents through `get`, which parses those still held as bytes. */
  readonly docs = new Map<string, HeldDoc>();
  /** Highest `_seq` of any document committed to this collection, deleted ones included. */
  lastSeq = 0;
  /** Counts applied writes, so a transaction that read the whole collection can tell it changed. */
  version = 0;
  schema: JsonValue | undefined;
  readonly indexes = new Map<string, JsonValue>();

  /** The document at `key`, parsed (once) if it is still held as bytes. */
  get(key: string): StoredDoc | undefined {
    const held = this.docs.get(key);
    if (!(held instanceof Uint8Array)) return held;
    const doc = parseHeldDoc(key, held);
    this.docs.set(key, doc);
    return doc;
  }
}

function parseHeldDoc(key: string, entry: Uint8Array): StoredDoc {
  const doc = JSON.parse(heldDocJson(entry)) as StoredDoc;
  if (doc._key !== key) throw new DatabaseLayoutError(`document "${key}"`, `its snapshot entry holds the document of key ${JSON.stringify(doc._key)}`);
  return doc;
}

/** What a collection's metadata looks like in a snapshot (everything but its documents). */
export interface CollectionMeta {
  readonly lastSeq: number;
  readonly schema?: JsonValue;
  readonly indexes?: Readonly<Record<string, JsonValue>>;
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

  apply(entry: LogEntry): void {
    switch (entry.cmd) {
      case 'INSERT': {
        const doc = entry.value as StoredDoc;
        const state = this.ensure(entry.collection);
        state.docs.set(entry.key, doc);
        if (doc._seq > state.lastSeq) state.lastSeq = doc._seq;
        state.version++;
        return;
      }
      case 'DELETE': {
        const state = this.collections.get(entry.collection);
        if (state === undefined) return;
        state.docs.delete(entry.key);
        state.version++;
        return;
      }
      case 'DROP':
        this.collections.delete(entry.collection);
        this.reservedSeq.delete(entry.collection);
        return;
      case 'SCHEMA': {
        const state = this.ensure(entry.collection);
        state.schema = entry.value === null ? undefined : deepFreeze(entry.value as JsonValue);
        state.version++;
        return;
      }
      case 'INDEX': {
        const state = this.ensure(entry.collection);
        if (entry.value === null) state.indexes.delete(entry.key);
        else state.indexes.set(entry.key, deepFreeze(entry.value as JsonValue));
        state.version++;
        return;
      }
      case 'TX_BEGIN':
      case 'TX_COMMIT':
        return;
    }
  }

  /** Restores a collection's metadata from a snapshot (its documents come through `restoreHeldDoc`). */
  restoreCollection(name: string, meta: CollectionMeta): void {
    const state = this.ensure(name);
    state.lastSeq = Math.max(state.lastSeq, meta.lastSeq);
    if (meta.schema !== undefined && meta.schema !== null) state.schema = deepFreeze(meta.schema);
    for (const [field, definition] of Object.entries(meta.indexes ?? {})) state.indexes.set(field, deepFreeze(definition));
  }

  /** Holds a snapshot document entry under `key`, to be parsed on first use. */
  restoreHeldDoc(collection: string, key: string, entry: Uint8Array): void {
    this.ensure(collection).docs.set(key, entry);
  }

  private ensure(name: string): CollectionState {
    let state = this.collections.get(name);
    if (state === undefined) {
      state = new CollectionState();
      this.collections.set(name, state);
    }
    return state;
  }
}
