import type { SyncMark } from './sync-policy.js';

/** Bytes a new group's buffer starts with. */
export const INITIAL_GROUP_BYTES = 64 * 1024;
/** Recycled groups kept, and the largest buffer worth keeping. */
export const SPARE_GROUPS = 4;
export const SPARE_GROUP_BYTES = 4 * 1024 * 1024;
/** Size or count of fsync'd appends at which a group is committed without waiting for the end of the tick. */
export const EAGER_COMMIT_BYTES = 32 * 1024;
export const EAGER_COMMIT_APPENDS = 32;

/** An append waiting for its group to be written (and synced, if its durability asks for that). */
export interface Waiter {
  /** Offset of the waiter's bytes inside its group; the group's file position is known only once written. */
  readonly relative: number;
  readonly resolve: (offset: number) => void;
  readonly reject: (error: Error) => void;
}

/** Bytes committed together: one write, and at most one fdatasync. */
export class Group {
  bytes: Uint8Array;
  length = 0;
  waiters: Waiter[] = [];
  flushWaiters: Waiter[] = [];
  /** Holds bytes whose appends already settled ('none' or deferred): a failed write of them loses acknowledged data. */
  acknowledged = false;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  reserve(size: number): number {
    const at = this.length;
    const needed = at + size;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    return at;
  }

  get empty(): boolean {
    return this.length === 0 && this.flushWaiters.length === 0;
  }

  reset(): void {
    this.length = 0;
    this.waiters = [];
    this.flushWaiters = [];
    this.acknowledged = false;
  }
}

/** A group written to the file at `start`, waiting for an fdatasync. */
export interface WrittenGroup {
  readonly group: Group;
  readonly start: number;
}

/** An fdatasync under way and the written groups it makes durable. */
export interface Sync {
  /** The log's written end when it started: every byte before it is durable once it completes. */
  readonly covers: number;
  readonly groups: WrittenGroup[];
  /** What the sync policy noted when it started. */
  readonly mark: SyncMark;
}
