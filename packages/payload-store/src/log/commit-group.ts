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
  /** performance.now() when it started. */
  readonly startedAt: number;
  /** The log's append count when it started: a higher count when it ends means others appended meanwhile. */
  readonly appendsAtStart: number;
  /** Whether it covers a single append. */
  readonly single: boolean;
}
