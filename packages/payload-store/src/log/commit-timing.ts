import type { Durability } from './log-options.js';

/**
 * When a log's pending group is committed, when not at once: at the end of the tick, on the next turn of the
 * event loop, or by a background timer; and the turn that settled appends wait for after a write-behind.
 * `commit` is the log's own (it commits nothing while an exclusive section runs).
 */
export class CommitTiming {
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  /** The event-loop turn settled appends wait for after a write-behind (see `yieldAfterWriteBehind`). */
  yielding: Promise<void> | undefined;

  constructor(
    private readonly durability: Durability,
    private readonly intervalMs: number,
    private readonly commit: () => void,
  ) {}

  /**
   * An fsync'd group waits for the disk anyway: it is committed at the end of this tick. Appends that settle
   * once written are committed on the next turn of the event loop instead, so the appends of a whole turn
   * share the write and a loop of awaited appends cannot starve timers and I/O.
   */
  scheduleCommit(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.commit();
    };
    if (this.durability === 'fsync') queueMicrotask(run);
    else setImmediate(run);
  }

  /**
   * Settled appends give the event loop a turn at each write-behind, so a loop of them cannot starve timers
   * and I/O; the appends after it wait behind the same turn, which keeps them settling in append order.
   */
  yieldAfterWriteBehind(): void {
    const turn = new Promise<void>((resolve) => setImmediate(resolve));
    this.yielding = turn;
    void turn.then(() => {
      if (this.yielding === turn) this.yielding = undefined;
    });
  }

  /** Commits what deferred and 'none' appends left buffered once `intervalMs` pass. */
  scheduleBackgroundWrite(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.commit();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** No background write after this (the log is closed). */
  stop(): void {
    clearTimeout(this.timer);
  }
}
