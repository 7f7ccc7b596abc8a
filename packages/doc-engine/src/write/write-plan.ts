import { makeStoredDoc, mergeFields, type Fields } from '../state/documents.js';
import { ConflictError, DocumentNotFoundError } from '../errors.js';
import type { LogEntry } from '../log/log-entry.js';
import type { JsonValue, StoredDoc } from '../query/types.js';

/** A per-document expiry a write asked for: relative (`ttlMs` from the write's time) or absolute (unix ms). */
export type Expiry = { readonly ttlMs: number } | { readonly at: number };

/** A write as a caller asked for it, before it is turned into a log entry against some state. */
export type WriteOp =
  | {
      readonly kind: 'set';
      readonly collection: string;
      readonly key: string;
      readonly fields: Fields;
      readonly expectedVersion: number | undefined;
      /** The key is a fresh UUIDv7 nobody else can know yet, so no other write can be in flight for it. */
      readonly generatedKey: boolean;
      /** The document's own expiry; none when undefined (a set replaces the whole document, expiry included). */
      readonly expiry: Expiry | undefined;
    }
  | {
      readonly kind: 'update';
      readonly collection: string;
      readonly key: string;
      readonly patch: Fields;
      readonly expectedVersion: number | undefined;
      /** A new expiry; undefined keeps the document's current one. */
      readonly expiry: Expiry | undefined;
    }
  | {
      /** A collection setting: its schema, an index definition or a CONFIG value. */
      readonly kind: 'setting';
      readonly collection: string;
      readonly cmd: 'SCHEMA' | 'INDEX' | 'CONFIG';
      readonly key: string;
      readonly value: JsonValue;
    }
  | { readonly kind: 'delete'; readonly collection: string; readonly key: string; readonly expectedVersion: number | undefined }
  | { readonly kind: 'drop'; readonly collection: string };

/**
 * A log entry as a commit plans it. An INSERT also carries the document it replaces as the plan found it
 * (null: none), so applying it needs no second lookup of its key. That document is still the one held when
 * the entry is applied: a write waits until nothing in flight touches its key (PendingWrites).
 */
export type PlannedEntry = LogEntry & { readonly replaces?: StoredDoc | null };

/** The state a write is planned against: the committed state, or a transaction's view of it. */
export interface StateView {
  doc(collection: string, key: string): StoredDoc | undefined;
  hasCollection(collection: string): boolean;
  reserveSeq(collection: string): number;
}

/**
 * Turns `op` into the log entry that performs it on `view` at time `now`, or undefined when it changes
 * nothing (deleting an absent key, dropping an absent collection). Throws ConflictError when a version
 * guard fails and DocumentNotFoundError when updating an absent key.
 */
export function planWrite(view: StateView, op: WriteOp, now: number): PlannedEntry | undefined {
  if (op.kind === 'drop') {
    if (!view.hasCollection(op.collection)) return undefined;
    return { cmd: 'DROP', collection: op.collection, key: '', value: null, _t: now };
  }
  if (op.kind === 'setting') return { cmd: op.cmd, collection: op.collection, key: op.key, value: op.value, _t: now };
  const found = view.doc(op.collection, op.key);
  // A document past its own expiry is gone for writes too (the sweep removes it from memory and disk later).
  const current = found?._expiresAt !== undefined && found._expiresAt <= now ? undefined : found;
  const version = current?._v ?? 0;
  if (op.expectedVersion !== undefined && op.expectedVersion !== version) {
    throw new ConflictError(op.collection, op.key, op.expectedVersion, version);
  }
  switch (op.kind) {
    case 'delete':
      if (current === undefined) return undefined;
      return { cmd: 'DELETE', collection: op.collection, key: op.key, value: null, _t: now };
    case 'set': {
      const doc =
        current === undefined
          ? makeStoredDoc(op.key, 1, view.reserveSeq(op.collection), now, now, op.fields, expiresAt(op.expiry, now))
          : makeStoredDoc(op.key, version + 1, current._seq, current._createdAt, now, op.fields, expiresAt(op.expiry, now));
      return { cmd: 'INSERT', collection: op.collection, key: op.key, value: doc, _t: now, replaces: found ?? null };
    }
    case 'update': {
      if (current === undefined) throw new DocumentNotFoundError(op.collection, op.key);
      const expiry = op.expiry === undefined ? current._expiresAt : expiresAt(op.expiry, now);
      const doc = makeStoredDoc(op.key, version + 1, current._seq, current._createdAt, now, mergeFields(current, op.patch), expiry);
      return { cmd: 'INSERT', collection: op.collection, key: op.key, value: doc, _t: now, replaces: found ?? null };
    }
  }
}

function expiresAt(expiry: Expiry | undefined, now: number): number | undefined {
  if (expiry === undefined) return undefined;
  return 'at' in expiry ? expiry.at : now + expiry.ttlMs;
}
