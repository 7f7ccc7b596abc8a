import { exposeDoc } from './documents.js';
import type { QuerySource } from '../query/planner.js';
import type { SecondaryIndex } from '../query/secondary-index.js';
import type { StoredDoc } from '../query/types.js';
import type { CollectionState, DocumentState } from './state.js';

/** True once the collection's TTL ran out (no document write for `ttl` seconds): every document in it is gone. */
export function collectionExpired(collection: CollectionState, now: number): boolean {
  const expiresAt = collection.expiresAt;
  return expiresAt !== undefined && expiresAt <= now;
}

export function docExpired(doc: StoredDoc, now: number): boolean {
  return doc._expiresAt !== undefined && doc._expiresAt <= now;
}

/**
 * The committed state as the query layer sees it at time `now`: documents of an expired collection are
 * absent, and under a collection TTL each document shows the virtual `_expiresAt` (the earlier of its own
 * expiry and the collection's). Documents expired on their own are left to the executor, which skips them.
 */
export class StateSource implements QuerySource {
  constructor(
    private readonly state: DocumentState,
    private readonly now: number,
  ) {}

  get(collection: string, key: string): StoredDoc | undefined {
    const state = this.live(collection);
    const doc = state?.get(key);
    return state === undefined || doc === undefined ? undefined : withExpiry(state, doc);
  }

  *scan(collection: string): Iterable<StoredDoc> {
    const state = this.live(collection);
    if (state === undefined) return;
    for (const [key, held] of state.docs) yield withExpiry(state, typeof held === 'number' ? (state.get(key) as StoredDoc) : held);
  }

  index(collection: string, field: string): SecondaryIndex | undefined {
    return this.state.collections.get(collection)?.index(field);
  }

  private live(collection: string): CollectionState | undefined {
    const state = this.state.collections.get(collection);
    return state === undefined || collectionExpired(state, this.now) ? undefined : state;
  }
}

/**
 * The live document at `key` (as stored: `get` makes the read view), or undefined. While the collection has
 * no TTL and no document with its own expiry nothing in it can be expired, so the clock is not read.
 */
export function liveDoc(state: DocumentState, collection: string, key: string, clock: { readTime(): number }): StoredDoc | undefined {
  const held = state.collections.get(collection);
  if (held === undefined) return undefined;
  if (held.ttl === undefined && held.expiring === 0) return held.get(key);
  const now = clock.readTime();
  const doc = new StateSource(state, now).get(collection, key);
  return doc === undefined || docExpired(doc, now) ? undefined : doc;
}

/** Live keys of a collection at `now`, in storage order. */
export function liveKeys(state: CollectionState | undefined, now: number): string[] {
  if (state === undefined || collectionExpired(state, now)) return [];
  if (state.expiring === 0) return [...state.docs.keys()];
  const keys: string[] = [];
  for (const key of state.docs.keys()) if (!docExpired(state.get(key) as StoredDoc, now)) keys.push(key);
  return keys;
}

/** Number of live documents at `now` (without a scan while no document has its own expiry). */
export function liveCount(state: CollectionState | undefined, now: number): number {
  if (state === undefined || collectionExpired(state, now)) return 0;
  return state.expiring === 0 ? state.docs.size : liveKeys(state, now).length;
}

function withExpiry(state: CollectionState, doc: StoredDoc): StoredDoc {
  exposeDoc(doc);
  const collectionExpiresAt = state.expiresAt;
  if (collectionExpiresAt === undefined || (doc._expiresAt !== undefined && doc._expiresAt <= collectionExpiresAt)) return doc;
  return Object.freeze({ ...doc, _expiresAt: collectionExpiresAt });
}
