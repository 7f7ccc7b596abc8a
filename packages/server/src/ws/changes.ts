import type { Commit } from '@kilndb/doc-engine';
import { allows } from '../auth/guard.js';
import type { Principal } from '../auth/principal.js';
import { scopeTouches } from '../auth/scopes.js';

/** MoltenDB's change frame: one per written key; `new_v` null for a delete; key `*` (and null) for a drop. */
export interface ChangeEvent {
  readonly event: 'change';
  readonly collection: string;
  readonly key: string;
  readonly new_v: number | null;
}

/** A change event with its frame text, serialized once however many sockets receive it. */
export interface ChangeFrame {
  readonly change: ChangeEvent;
  /** True for a collection drop. */
  readonly drop: boolean;
  readonly text: string;
}

function versionOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  const version = (value as { _v?: unknown })._v;
  return typeof version === 'number' ? version : null;
}

/** The change frames of one commit, in log order. Schema, index and setting entries are not document writes and send nothing. */
export function changeFrames(commit: Commit): ChangeFrame[] {
  const frames: ChangeFrame[] = [];
  for (const { entry } of commit.entries) {
    const { cmd, collection, key } = entry;
    let change: ChangeEvent;
    if (cmd === 'INSERT') change = { event: 'change', collection, key, new_v: versionOf(entry.value) };
    else if (cmd === 'DELETE') change = { event: 'change', collection, key, new_v: null };
    else if (cmd === 'DROP') change = { event: 'change', collection, key: '*', new_v: null };
    else continue;
    frames.push({ change, drop: cmd === 'DROP', text: JSON.stringify(change) });
  }
  return frames;
}

/**
 * May this principal see the change? A key change needs read access to that key (MoltenDB asks for the whole
 * collection; a token scoped to some keys here hears about those keys). A drop is told to every token that
 * may read any key of the collection, since it removes them all.
 */
export function maySee(principal: Principal, frame: ChangeFrame): boolean {
  const { collection, key } = frame.change;
  if (frame.drop) return principal.scopes.some((scope) => scopeTouches(scope, 'read', collection));
  return allows(principal, 'read', collection, key);
}
