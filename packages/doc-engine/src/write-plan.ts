import { makeStoredDoc, mergeFields, type Fields } from './documents.js';
import { ConflictError, DocumentNotFoundError } from './errors.js';
import type { LogEntry } from './log-entry.js';
import type { StoredDoc } from './query/types.js';

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
    }
  | { readonly kind: 'update'; readonly collection: string; readonly key: string; readonly patch: Fields; readonly expectedVersion: number | undefined }
  | { readonly kind: 'delete'; readonly collection: string; readonly key: string; readonly expectedVersion: number | undefined }
  | { readonly kind: 'drop'; readonly collection: string };

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
export function planWrite(view: StateView, op: WriteOp, now: number): LogEntry | undefined {
  if (op.kind === 'drop') {
    if (!view.hasCollection(op.collection)) return undefined;
    return { cmd: 'DROP', collection: op.collection, key: '', value: null, _t: now };
  }
  const current = view.doc(op.collection, op.key);
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
          ? makeStoredDoc(op.key, 1, view.reserveSeq(op.collection), now, now, op.fields)
          : makeStoredDoc(op.key, version + 1, current._seq, current._createdAt, now, op.fields);
      return { cmd: 'INSERT', collection: op.collection, key: op.key, value: doc, _t: now };
    }
    case 'update': {
      if (current === undefined) throw new DocumentNotFoundError(op.collection, op.key);
      const doc = makeStoredDoc(op.key, version + 1, current._seq, current._createdAt, now, mergeFields(current, op.patch));
      return { cmd: 'INSERT', collection: op.collection, key: op.key, value: doc, _t: now };
    }
  }
}
