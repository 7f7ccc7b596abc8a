import type { Commit } from './log/entry-replay.js';
import type { DatabaseWarning } from './warnings.js';

export type ChangeListener = (commit: Commit) => void;

/**
 * Fans committed changes out to listeners, in commit order, right after they are applied. A listener that
 * throws is reported as a warning and keeps its subscription; the write that caused the call is unaffected.
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly closeListeners = new Set<() => void>();

  constructor(private readonly onWarning: (warning: DatabaseWarning) => void) {}

  get active(): boolean {
    return this.listeners.size > 0;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  on(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Runs `listener` once when the database closes. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => {
      this.closeListeners.delete(listener);
    };
  }

  emit(commit: Commit): void {
    for (const listener of this.listeners) {
      try {
        listener(commit);
      } catch (error) {
        this.onWarning({
          code: 'change-listener-failed',
          message: `a change listener threw at seq ${commit.seq}: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      }
    }
  }

  close(): void {
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}

/**
 * An async iterator over commits: first `history` (read from the log), then live commits as they come.
 * Live commits are queued while the consumer is busy, so a slow consumer costs memory, never a lost change.
 */
export class ChangeStream implements AsyncIterableIterator<Commit> {
  private readonly queue: Commit[] = [];
  private waiting: ((result: IteratorResult<Commit>) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private done = false;
  private failure: Error | undefined;
  private readonly unsubscribe: () => void;
  private readonly unsubscribeClose: () => void;
  private lastSeq: number;
  /** Live commits that arrive while the history is still being read; delivered after it. */
  private held: Commit[] | undefined;

  constructor(feed: ChangeFeed, sinceSeq: number, readsHistory: boolean) {
    this.lastSeq = sinceSeq;
    this.held = readsHistory ? [] : undefined;
    this.unsubscribe = feed.on((commit) => {
      if (this.held !== undefined) this.held.push(commit);
      else this.push(commit);
    });
    this.unsubscribeClose = feed.onClose(() => {
      this.finish();
    });
  }

  /** Delivers the history read from the log, then the live commits held meanwhile (each commit once). */
  pushHistory(commits: readonly Commit[]): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const commit of commits) this.push(commit);
    for (const commit of held) this.push(commit);
  }

  fail(error: Error): void {
    this.failure = error;
    this.stop();
    if (this.failWaiting !== undefined) {
      const reject = this.failWaiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      reject(error);
    }
  }

  next(): Promise<IteratorResult<Commit>> {
    const commit = this.queue.shift();
    if (commit !== undefined) return Promise.resolve({ value: commit, done: false });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<Commit>> {
    this.queue.length = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Commit> {
    return this;
  }

  private push(commit: Commit): void {
    if (this.done || commit.seq <= this.lastSeq) return;
    this.lastSeq = commit.seq;
    if (this.waiting !== undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value: commit, done: false });
      return;
    }
    this.queue.push(commit);
  }

  private finish(): void {
    this.stop();
    if (this.waiting !== undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      this.failWaiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  private stop(): void {
    this.done = true;
    this.unsubscribe();
    this.unsubscribeClose();
  }
}
