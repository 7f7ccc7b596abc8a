import type { StatsResponse, WsChangeEvent } from '@kilndb/server/client';

/**
 * The document counts after one `/ws` change, without asking the server: version 1 is a new document, a null
 * version a deleted one, key `*` a dropped collection; any other write leaves the count alone. The overview
 * shows this at once and still re-reads `/stats` now and then, since expiry and caps change counts silently.
 */
export function applyChange(stats: StatsResponse, change: WsChangeEvent): StatsResponse {
  const before = stats.collections[change.collection]?.count ?? 0;
  if (change.key === '*') {
    const collections = Object.fromEntries(Object.entries(stats.collections).filter(([name]) => name !== change.collection));
    return { collections, total: Math.max(0, stats.total - before) };
  }
  const collections = { ...stats.collections };
  let delta = 0;
  if (change.new_v === null) {
    delta = before > 0 ? -1 : 0;
  } else if (change.new_v === 1) {
    delta = 1;
  }
  if (delta !== 0 || collections[change.collection] === undefined) {
    collections[change.collection] = { ...collections[change.collection], count: before + delta };
  }
  return { collections, total: Math.max(0, stats.total + delta) };
}
