/** Thread-pool syncs in a row of one append each, with no other append arriving while they ran, before syncs move to the calling thread. */
export const LONE_SYNCS_TO_INLINE = 8;
/** While syncing on the calling thread, every this-many-th lone commit goes through the thread pool again, to look for company. */
export const PROBE_EVERY = 16;
/** Syncs on the calling thread only while syncs average under this (the event loop waits that long). */
export const INLINE_SYNC_LIMIT_MS = 1;
/**
 * fdatasyncs allowed under way at once. A second one lets appends that arrived during the first start their
 * sync as soon as they are written instead of waiting for the first to come back, so encoding overlaps the disk.
 */
export const MAX_SYNCS_IN_FLIGHT = 2;
/** Weight of the newest sync in the running average. */
const NEWEST_WEIGHT = 0.2;

/** What the policy notes when a thread-pool sync starts. */
export interface SyncMark {
  readonly startedAt: number;
  readonly appendsAtStart: number;
  readonly single: boolean;
}

/** A file handle that can fdatasync on the calling thread. */
export interface InlineSyncable {
  datasyncSync(): void;
}

/** Whether `handle` can fdatasync on the calling thread (`FileHandle.datasyncSync` is optional). */
export function canSyncInline<T extends { datasyncSync?(): void }>(handle: T): handle is T & InlineSyncable {
  return handle.datasyncSync !== undefined;
}

/** Whether `group` holds one waiting append and no flush. */
export function isSingleAppend(group: { readonly waiters: readonly unknown[]; readonly flushWaiters: readonly unknown[] }): boolean {
  return group.waiters.length === 1 && group.flushWaiters.length === 0;
}

/**
 * Whether a lone commit fdatasyncs on the calling thread or on the thread pool.
 *
 * A thread-pool fdatasync costs two thread wake-ups on top of the disk (about 45 µs on a 2-core VM: a third
 * of a commit on a quick disk). Concurrent writers share one sync per group and lose nothing to it, but a
 * writer awaiting each commit pays it every time. Syncing on the calling thread saves it and blocks the event
 * loop for the sync, which would serialise concurrent writers (nothing else can append meanwhile). So a
 * commit syncs inline only after `LONE_SYNCS_TO_INLINE` thread-pool syncs in a row covered one append each
 * and saw no other arrive, while syncs average under `INLINE_SYNC_LIMIT_MS`. Every `PROBE_EVERY`-th lone
 * commit then goes through the thread pool again; one append arriving during it, or a sync covering two,
 * brings every commit back to the pool.
 */
export class SyncPolicy {
  /** Syncs made on the calling thread. */
  inlineSyncs = 0;
  private loneSyncs = 0;
  private inlineCommits = 0;
  private averageMs: number | undefined;
  /** Appends so far: a higher count when a pooled sync ends means others appended meanwhile. */
  private appends = 0;

  constructor(private readonly enabled: boolean) {}

  /** The log took an append. */
  appended(): void {
    this.appends++;
  }

  /** A thread-pool sync starts; `single`: it covers one append and no flush. */
  pooledStart(single: boolean): SyncMark {
    return { startedAt: performance.now(), appendsAtStart: this.appends, single };
  }

  /** The thread-pool sync started with `mark` ended. */
  pooledEnd(mark: SyncMark): void {
    this.pooled(performance.now() - mark.startedAt, !mark.single || this.appends !== mark.appendsAtStart);
  }

  /** fdatasyncs `handle` on the calling thread (errors propagate), timing it. */
  runInline(handle: InlineSyncable): void {
    const began = performance.now();
    this.inlineSyncs++;
    handle.datasyncSync();
    this.inlined(performance.now() - began);
  }

  /** Whether the sync of a commit that is alone (one append, no other sync under way) runs on the calling thread. */
  inline(): boolean {
    if (!this.enabled || this.loneSyncs < LONE_SYNCS_TO_INLINE || this.averageMs === undefined || this.averageMs >= INLINE_SYNC_LIMIT_MS) return false;
    this.inlineCommits++;
    return this.inlineCommits % PROBE_EVERY !== 0;
  }

  /** A thread-pool sync took `ms`; `company` tells whether it covered more than one append or another arrived while it ran. */
  pooled(ms: number, company: boolean): void {
    this.observe(ms);
    if (company) {
      this.loneSyncs = 0;
      this.inlineCommits = 0;
    } else {
      this.loneSyncs++;
    }
  }

  /** A sync on the calling thread took `ms`. */
  inlined(ms: number): void {
    this.observe(ms);
  }

  private observe(ms: number): void {
    this.averageMs = this.averageMs === undefined ? ms : this.averageMs + NEWEST_WEIGHT * (ms - this.averageMs);
  }
}
