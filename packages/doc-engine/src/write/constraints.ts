import { userFields } from '../state/documents.js';
import type { LogEntry } from '../log/log-entry.js';
import { oldestKeys } from '../query/execute.js';
import { validateDocument } from '../query/schema.js';
import type { StoredDoc } from '../query/types.js';
import { StateSource } from '../state/live.js';
import type { DocumentState } from '../state/state.js';

/** Throws SchemaValidationError when an INSERT entry's user fields do not satisfy its collection's schema. */
export function checkSchema(state: DocumentState, entry: LogEntry): void {
  if (entry.cmd !== 'INSERT') return;
  const validator = state.collections.get(entry.collection)?.validator;
  if (validator !== undefined) validateDocument(validator, userFields(entry.value as StoredDoc));
}

interface BatchEffect {
  dropped: boolean;
  /** Final presence of each key the batch wrote, in the order first written. */
  readonly keys: Map<string, boolean>;
  maxSize: number | undefined;
}

/**
 * The DELETE entries that keep capped collections within `maxSize` once `entries` (one commit, planned
 * against `state`) are applied: the lowest `_seq` go first (expired documents included: they still take
 * room), committed documents before those the commit itself adds.
 */
export function evictions(state: DocumentState, entries: readonly (LogEntry | undefined)[], now: number): readonly LogEntry[] {
  if (!mayEvict(state, entries)) return NO_EVICTIONS;
  const effects = new Map<string, BatchEffect>();
  for (const entry of entries) {
    if (entry === undefined) continue;
    let effect = effects.get(entry.collection);
    if (effect === undefined) {
      effect = { dropped: false, keys: new Map(), maxSize: state.collections.get(entry.collection)?.maxSize };
      effects.set(entry.collection, effect);
    }
    if (entry.cmd === 'INSERT') effect.keys.set(entry.key, true);
    else if (entry.cmd === 'DELETE') effect.keys.set(entry.key, false);
    else if (entry.cmd === 'DROP') {
      effect.dropped = true;
      effect.keys.clear();
      effect.maxSize = undefined;
    }
    else if (entry.cmd === 'CONFIG' && entry.key === 'maxSize') effect.maxSize = typeof entry.value === 'number' ? entry.value : undefined;
  }
  const evicted: LogEntry[] = [];
  for (const [name, effect] of effects) {
    if (effect.maxSize === undefined) continue;
    const committed = effect.dropped ? undefined : state.collections.get(name);
    let removed = 0;
    let count = committed?.docs.size ?? 0;
    const fresh: string[] = [];
    for (const [key, present] of effect.keys) {
      const existed = committed?.docs.has(key) === true;
      if (present && !existed) {
        count++;
        fresh.push(key);
      } else if (!present && existed) {
        count--;
        removed++;
      }
    }
    let overflow = count - effect.maxSize;
    if (overflow <= 0) continue;
    const victims: string[] = [];
    if (committed !== undefined) {
      for (const key of oldestKeys(new StateSource(state, -Infinity), name, Math.min(committed.docs.size, overflow + removed))) {
        if (effect.keys.get(key) !== false && victims.length < overflow) victims.push(key);
      }
    }
    overflow -= victims.length;
    for (let i = 0; i < overflow; i++) victims.push(fresh[i] as string);
    for (const key of victims) evicted.push({ cmd: 'DELETE', collection: name, key, value: null, _t: now });
  }
  return evicted;
}

const NO_EVICTIONS: readonly LogEntry[] = Object.freeze([]);

/** Whether a commit can evict at all: it writes to a collection with a cap, or sets one (a CONFIG entry). */
function mayEvict(state: DocumentState, entries: readonly (LogEntry | undefined)[]): boolean {
  let checked: string | undefined;
  for (const entry of entries) {
    if (entry === undefined) continue;
    if (entry.cmd === 'CONFIG') return true;
    if (entry.collection === checked) continue;
    if (state.collections.get(entry.collection)?.maxSize !== undefined) return true;
    checked = entry.collection;
  }
  return false;
}
