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
  private readonly durable: ByteImage;
  private pending: PendingChange[] = [];
  private survivor: Uint8Array | undefined;

  constructor(content: Uint8Array) {
    this.durable = new ByteImage(content);
  }

  record(change: PendingChange): void {
    this.pending.push(change);
  }

  /** A datasync/sync that started when `count` changes were pending finished: those are durable now. */
  synced(count: number): void {
    for (const change of this.pending.slice(0, count)) this.durable.apply(change);
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
    let survivors: readonly PendingChange[] = [];
    if (policy.mode === 'keep-unsynced') survivors = this.pending;
    else if (policy.mode === 'random' && this.pending.length > 0) {
      const kept = this.pending.slice(0, policy.random.int(this.pending.length + 1));
      const last = kept.at(-1);
      if (policy.torn && last?.kind === 'write' && last.data.length > 1 && policy.random.chance(0.5)) {
        kept[kept.length - 1] = { ...last, data: last.data.subarray(0, policy.random.int(last.data.length)) };
      }
      survivors = kept;
    }
    const image = new ByteImage(this.durable.bytes());
    for (const change of survivors) image.apply(change);
    return image.bytes();
  }
}

/**
 * A file's bytes, changed in place and grown by doubling, so syncing a file that is appended to does not
 * copy all of it each time. Bytes past `length` are kept zero, so growing exposes zeros as a file does.
 */
export class ByteImage {
  private buffer: Uint8Array;
  private length: number;

  constructor(initial: Uint8Array) {
    this.buffer = initial.slice();
    this.length = initial.length;
  }

  apply(change: PendingChange): void {
    if (change.kind === 'truncate') {
      if (change.length < this.length) this.buffer.fill(0, change.length, this.length);
      else this.reserve(change.length);
      this.length = change.length;
      return;
    }
    const end = change.position + change.data.length;
    this.reserve(end);
    this.buffer.set(change.data, change.position);
    this.length = Math.max(this.length, end);
  }

  /** A copy of the content. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(size: number): void {
    if (size <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(size, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
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
