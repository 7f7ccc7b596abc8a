import type { SeededRandom } from './prng.js';

/** A change to a file's bytes that has not been made durable by datasync/sync yet. */
export type PendingChange =
  | { readonly kind: 'write'; readonly position: number; readonly data: Uint8Array }
  | { readonly kind: 'truncate'; readonly length: number };

/** How unsynced file changes fare in a crash. */
export interface SurvivalPolicy {
  readonly mode: 'random' | 'drop-unsynced' | 'keep-unsynced';
  /** Whether the last surviving write may be cut short at a random byte ('random' mode only). */
  readonly torn: boolean;
  readonly random: SeededRandom;
}

/**
 * One file (an inode: it keeps its identity across renames and may be open after an unlink).
 * `durable` is its content as of the last datasync/sync, `pending` what was done to it since, in order.
 */
export class FileNode {
  readonly kind = 'file';
  private pending: PendingChange[] = [];
  private survivor: Uint8Array | undefined;

  constructor(private durable: Uint8Array) {}

  record(change: PendingChange): void {
    this.pending.push(change);
  }

  /** A datasync/sync that started when `count` changes were pending finished: those are durable now. */
  synced(count: number): void {
    this.durable = applyChanges(this.durable, this.pending.slice(0, count));
    this.pending = this.pending.slice(count);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * What is left of the file after power loss. Decided once per file, so a file reachable under
   * two durable names (a cross-directory rename with only one side synced) gets the same bytes twice.
   */
  contentAfterCrash(policy: SurvivalPolicy): Uint8Array {
    this.survivor ??= this.decideSurvivor(policy);
    return this.survivor;
  }

  private decideSurvivor(policy: SurvivalPolicy): Uint8Array {
    if (policy.mode === 'drop-unsynced' || this.pending.length === 0) return this.durable;
    if (policy.mode === 'keep-unsynced') return applyChanges(this.durable, this.pending);
    const kept = policy.random.int(this.pending.length + 1);
    const survivors = this.pending.slice(0, kept);
    const last = survivors.at(-1);
    if (policy.torn && last?.kind === 'write' && last.data.length > 1 && policy.random.chance(0.5)) {
      survivors[survivors.length - 1] = { ...last, data: last.data.subarray(0, policy.random.int(last.data.length)) };
    }
    return applyChanges(this.durable, survivors);
  }
}

/**
 * One directory. `durable` holds the entries as of its last syncDirectory; `current` the live ones.
 * A new directory is durably empty until it is synced itself, and exists at all only once its parent is.
 */
export class DirectoryNode {
  readonly kind = 'directory';
  readonly current = new Map<string, Node>();
  durable = new Map<string, Node>();

  /** A syncDirectory that started when the entries were `snapshot` finished. */
  synced(snapshot: ReadonlyMap<string, Node> = this.current): void {
    this.durable = new Map(snapshot);
  }
}

export type Node = FileNode | DirectoryNode;

export function applyChanges(base: Uint8Array, changes: readonly PendingChange[]): Uint8Array {
  let content = base;
  for (const change of changes) {
    if (change.kind === 'truncate') {
      const resized = new Uint8Array(change.length);
      resized.set(content.subarray(0, change.length));
      content = resized;
      continue;
    }
    const end = change.position + change.data.length;
    if (end > content.length) {
      const grown = new Uint8Array(end);
      grown.set(content);
      content = grown;
    } else if (content === base) {
      content = content.slice();
    }
    content.set(change.data, change.position);
  }
  return content;
}
