import type { SyncMark } from './sync-policy.js';

/** Bytes a new group's buffer starts with. */
const INITIAL_GROUP_BYTES = 64 * 1024;
/** Group buffers kept for reuse once written, and the largest worth keeping. */
const SPARE_BUFFERS = 4;
const SPARE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Size or count of fsync'd appends at which a group is committed without waiting for the end of the tick. */
export const EAGER_COMMIT_BYTES = 32 * 1024;
export const EAGER_COMMIT_APPENDS = 32;

/**
 * Told once how an append ended: the file offset its bytes start at, or why it failed. It is told from
 * inside the log's own step, so it must not throw; it may append again (see AppendLog's `settle`).
 */
export interface AppendWaiter {
  appended(offset: number): void;
  failed(error: Error): void;
}

/** An append waiting for its group to be written (and synced, if its durability asks for that). */
export interface Waiter {
  /** Offset of the waiter's bytes inside its group; the group's file position is known only once written. */
  readonly relative: number;
  readonly to: AppendWaiter;
}

const NO_BYTES = new Uint8Array(0);

/**
 * Bytes committed together: one write, and at most one fdatasync. Once written, a group gives its buffer
 * back (`takeBytes`) and only its waiters wait for the sync, so groups waiting on a slow disk hold no bytes.
 */
export class Group {
  bytes: Uint8Array;
  length = 0;
  waiters: Waiter[] = [];
  flushWaiters: Waiter[] = [];
  /** Holds bytes whose appends already settled ('none' or deferred): a failed write of them loses acknowledged data. */
  acknowledged = false;

  /** `buffer` may hold old bytes: appends overwrite what they use, and only `length` bytes are written. */
  constructor(buffer: Uint8Array) {
    this.bytes = buffer;
  }

  /** The group's buffer, for another group to reuse; the group keeps none (it has been written). */
  takeBytes(): Uint8Array {
    const bytes = this.bytes;
    this.bytes = NO_BYTES;
    return bytes;
  }

  reserve(size: number): number {
    const at = this.length;
    const needed = at + size;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    return at;
  }

  get empty(): boolean {
    return this.length === 0 && this.flushWaiters.length === 0;
  }

  /** Settles once the group is written and synced (a flush's waiter: it holds no bytes of its own). */
  flushed(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.flushWaiters.push({ relative: 0, to: { appended: () => { resolve(); }, failed: reject } });
    });
  }

  /** Copies the group's bytes from `at` into `into` (as many as fit, none for an `at` outside them); returns how many. */
  read(into: Uint8Array, at: number): number {
    if (at < 0 || at >= this.length) return 0;
    const n = Math.min(into.length, this.length - at);
    into.set(this.bytes.subarray(at, at + n));
    return n;
  }

  /** Tells every waiter its append is done: the group was written at file offset `start` (and synced, if asked). */
  settle(start: number): void {
    for (const waiter of this.waiters) waiter.to.appended(start + waiter.relative);
    for (const waiter of this.flushWaiters) waiter.to.appended(start);
  }

  /** Tells every waiter its append failed with `error`. */
  reject(error: Error): void {
    for (const waiter of this.waiters) waiter.to.failed(error);
    for (const waiter of this.flushWaiters) waiter.to.failed(error);
  }
}

/** Buffers of written groups, handed to the next groups: a busy log reuses a few instead of allocating one per commit. */
export class GroupBuffers {
  private readonly spare: Uint8Array[] = [];

  /** A new empty group, on a kept buffer when there is one. */
  newGroup(): Group {
    // Buffers (Uint8Arrays to every caller), so an encoder can write strings into them without a wrapper.
    return new Group(this.spare.pop() ?? Buffer.allocUnsafe(INITIAL_GROUP_BYTES));
  }

  /** Takes a written group's buffer for later groups (up to a few, none too large to keep). */
  keep(group: Group): void {
    const bytes = group.takeBytes();
    if (bytes.length > 0 && bytes.length <= SPARE_BUFFER_BYTES && this.spare.length < SPARE_BUFFERS) this.spare.push(bytes);
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
