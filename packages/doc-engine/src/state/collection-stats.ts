import { collectionExpired, liveCount } from './live.js';
import type { CollectionState } from './state.js';

export interface CollectionStats {
  /** Live documents (expired ones excluded). */
  readonly count: number;
  /** Documents held in memory, expired ones not yet swept included. */
  readonly stored: number;
  /** Approximate size: each stored document's JSON length (system fields included; UTF-8 bytes for documents still held as loaded), summed. */
  readonly bytes: number;
  /** Indexed field paths. */
  readonly indexes: readonly string[];
  readonly hasSchema: boolean;
  /** Collection TTL in seconds. */
  readonly ttl: number | undefined;
  readonly maxSize: number | undefined;
  /** When the whole collection expires (collection TTL), unix ms. */
  readonly expiresAt: number | undefined;
  /** True when the collection TTL has run out (its documents await the sweep). */
  readonly expired: boolean;
  /** Stored documents carrying their own expiry. */
  readonly expiringDocuments: number;
}

/** Statistics of one collection at time `now`; `bytes` serialises every document, so it costs a pass over them. */
export function collectionStats(state: CollectionState | undefined, now: number): CollectionStats {
  let bytes = 0;
  if (state !== undefined) for (const held of state.docs.values()) bytes += state.docs.byteSize(held);
  return {
    count: liveCount(state, now),
    stored: state?.docs.size ?? 0,
    bytes,
    indexes: [...(state?.indexes.keys() ?? [])],
    hasSchema: state?.schema !== undefined,
    ttl: state?.ttl,
    maxSize: state?.maxSize,
    expiresAt: state?.expiresAt,
    expired: state !== undefined && collectionExpired(state, now),
    expiringDocuments: state?.expiring ?? 0,
  };
}
