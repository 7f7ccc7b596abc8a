import { describe, expect, it } from 'vitest';
import { evictions } from './constraints.js';
import type { LogEntry } from '../log/log-entry.js';
import { makeStoredDoc } from '../state/documents.js';
import { DocumentState } from '../state/state.js';

function insert(state: DocumentState, collection: string, key: string): LogEntry {
  const doc = makeStoredDoc(key, 1, state.reserveSeq(collection), 1, 1, {});
  return { cmd: 'INSERT', collection, key, value: doc, _t: 1 };
}

function config(collection: string, maxSize: number): LogEntry {
  return { cmd: 'CONFIG', collection, key: 'maxSize', value: maxSize, _t: 1 };
}

/** A state with `count` documents in `collection`, committed. */
function filled(collection: string, count: number, maxSize?: number): DocumentState {
  const state = new DocumentState();
  if (maxSize !== undefined) state.apply(config(collection, maxSize));
  for (let i = 0; i < count; i++) state.apply(insert(state, collection, `old${i}`));
  return state;
}

const evictedKeys = (entries: readonly LogEntry[]): string[] => entries.map((entry) => `${entry.cmd} ${entry.collection}/${entry.key}`);

describe('evictions', () => {
  it('are none for writes to collections without a cap', () => {
    const state = filled('free', 5);
    expect(evictions(state, [insert(state, 'free', 'a'), undefined, insert(state, 'other', 'b')], 1)).toEqual([]);
  });

  it('keep a capped collection within its cap, also when an uncapped collection is written first in the commit', () => {
    const state = filled('capped', 2, 2);
    state.apply(insert(state, 'free', 'x'));
    const entries = [insert(state, 'free', 'y'), insert(state, 'capped', 'new')];
    expect(evictedKeys(evictions(state, entries, 1))).toEqual(['DELETE capped/old0']);
  });

  it('follow a cap set in the same commit, after writes to that collection', () => {
    const state = filled('c', 3);
    const entries = [insert(state, 'c', 'new'), config('c', 2)];
    expect(evictedKeys(evictions(state, entries, 1))).toEqual(['DELETE c/old0', 'DELETE c/old1']);
  });
});
