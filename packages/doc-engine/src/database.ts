import * as path from 'node:path';
import { DirectoryLock, type Durability } from '@kilndb/payload-store/log';
import { cleanStaleTemps, isErrno, type FileStat, type FileSystem } from '@kilndb/snapshot';
import { asError } from '@kilndb/wal-format';
import { ChangeFeed, ChangeStream, type ChangeListener } from './changes.js';
import { collectionHandle, type Collection } from './collection.js';
import { CommitPipeline, opsFootprint } from './write/commit-pipeline.js';
import { Compactor, type SnapshotInfo } from './snapshot/database-compaction.js';
import { openKeyring, type EntryCipher } from './crypto/index.js';
import { ensureDirectory } from './open/directories.js';
import { attachInternals, type DatabaseInternals, type PlannedEntries } from './internals.js';
import { checkCollectionName } from './state/documents.js';
import { EntryLog, type EntryLogStats } from './log/entry-log.js';
import {
  ChangesUnavailableError,
  DatabaseClosedError,
  DatabaseLayoutError,
  DatabaseReadOnlyError,
  InvalidOptionError,
} from './errors.js';
import { checkDatabaseDirectory } from './open/layout.js';
import { allSegments, entryReader, oldestAvailableSeq, readCommits, segmentsAfter } from './log/history.js';
import type { LogEntry } from './log/log-entry.js';
import { resolveOptions, type DatabaseOptions, type ResolvedOptions } from './options.js';
import { collectionsFootprint } from './write/pending-writes.js';
import { CommitAssembler, type Commit } from './log/entry-replay.js';
import { LOG_DIR, listSegments } from './log/segments.js';
import { NEXT_SNAPSHOT_FILE, loadSnapshot, newestSnapshotPath, type SnapshotFile } from './snapshot/snapshot-store.js';
import { collectionStats, type CollectionStats } from './state/collection-stats.js';
import { collectionExpired, docExpired } from './state/live.js';
import type { StoredDoc } from './query/types.js';
import { DocumentState } from './state/state.js';
import { transactionHandle, type Transaction } from './transaction.js';
import { TransactionContext, observedFootprint, validateObservations } from './write/transaction-context.js';
import type { DatabaseWarning } from './warnings.js';
import type { WriteOp } from './write/write-plan.js';

export interface DatabaseStats {
  readonly directory: string;
  readonly durability: Durability;
  readonly encrypted: boolean;
  readonly readOnly: boolean;
  readonly collections: number;
  readonly documents: number;
  /** Sequence number of the last commit applied. */
  readonly seq: number;
  /** The snapshot the database was opened from or last wrote. */
  readonly snapshot: { readonly seq: number; readonly path: string } | undefined;
  readonly log: EntryLogStats;
  readonly compactions: number;
  readonly compacting: boolean;
  /** Change listeners subscribed: `onChange` callbacks and open `changes()` iterators (a leaking subscriber shows here). */
  readonly changeListeners: number;
  /** Per collection: live documents, approximate bytes, indexes and settings (see CollectionStats). */
  readonly collectionStats: Readonly<Record<string, CollectionStats>>;
}

export interface ChangesOptions {
  /** Deliver every commit after this sequence number (history from the log first). Default: only commits from now on. */
  readonly sinceSeq?: number;
}

/**
 * A document database in one directory: collections of JSON documents, kept in memory, made durable by
 * an append-only log of LogEntries (wal-format records through AppendLog) and periodic snapshots.
 */
export class Database {
  readonly directory: string;
  // `#` fields: the engine is no part of the class's type, nor reachable from outside at run time.
  readonly #options: ResolvedOptions;
  readonly #lock: DirectoryLock | undefined;
  readonly #cipher: EntryCipher | undefined;
  readonly #log: EntryLog;
  readonly #state: DocumentState;
  readonly #internals: DatabaseInternals;
  readonly #feed: ChangeFeed;
  readonly #commits: CommitPipeline;
  readonly #compactor: Compactor | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #autoCompaction: Promise<unknown> | undefined;
  /** Log size past which a commit starts an automatic compaction. */
  #autoCompactAbove: number;
  readonly #snapshotAtOpen: SnapshotFile | undefined;
  readonly #sweepTimer: NodeJS.Timeout | undefined;

  private constructor(
    directory: string,
    options: ResolvedOptions,
    lock: DirectoryLock | undefined,
    cipher: EntryCipher | undefined,
    log: EntryLog,
    state: DocumentState,
    lastSeq: number,
    lastTime: number,
    snapshot: SnapshotFile | undefined,
  ) {
    this.directory = directory;
    this.#options = options;
    this.#lock = lock;
    this.#cipher = cipher;
    this.#log = log;
    this.#state = state;
    this.#internals = {
      state,
      assertOpen: () => {
        this.#assertOpen();
      },
      readTime: () => this.#options.clock(),
      commitOps: (ops, result) => this.#commitOps(ops, result),
      commitSelected: (collection, select) => this.#commitSelected(collection, select),
    };
    attachInternals(this, this.#internals);
    this.#feed = new ChangeFeed(options.onWarning);
    this.#commits = new CommitPipeline(
      {
        state,
        log,
        cipher,
        feed: this.#feed,
        clock: () => this.#options.clock(),
        assertWritable: () => {
          this.#assertWritable();
        },
        afterCommit: () => {
          this.#maybeCompact();
        },
      },
      lastSeq,
      lastTime,
    );
    this.#autoCompactAbove = options.compactThresholdBytes;
    this.#compactor = options.readOnly
      ? undefined
      : new Compactor({
          fs: options.fs,
          directory,
          cipher,
          backupsToKeep: options.backupsToKeep,
          retainLogSegments: options.retainLogSegments,
          postBackupHook: options.postBackupHook,
          onWarning: options.onWarning,
          log,
          snapshot,
          capture: async (coveredSeq) => {
            await this.#commits.whenSettled();
            return { state: this.#state, seq: coveredSeq, time: this.#commits.lastTime };
          },
        });
    this.#snapshotAtOpen = snapshot;
    if (options.sweepIntervalMs !== undefined && !options.readOnly) {
      this.#sweepTimer = setInterval(() => {
        this.sweepExpired().catch((error: unknown) => {
          if (this.#closed) return;
          options.onWarning({
            code: 'sweep-failed',
            message: `sweeping expired documents failed: ${error instanceof Error ? error.message : String(error)}`,
            path: directory,
            cause: error,
          });
        });
      }, options.sweepIntervalMs);
      // The sweep is housekeeping: it must not keep the process alive.
      this.#sweepTimer.unref();
    }
  }

  /**
   * Opens (creating it unless read-only) the database in `directory`: loads the newest snapshot, replays the
   * log after it (applying a transaction only if its TX_COMMIT is there), and repairs a torn log tail.
   */
  static async open(directory: string, options: DatabaseOptions = {}): Promise<Database> {
    const resolved = resolveOptions(options);
    const { fs, readOnly } = resolved;
    if (typeof directory !== 'string' || directory.length === 0) throw new InvalidOptionError('directory', 'must be a non-empty path');
    const dir = path.resolve(directory);
    const existing = await statDirectory(fs, dir);
    if (existing !== undefined && !existing.isDirectory) throw new DatabaseLayoutError(dir, 'is a file, not a database directory');
    if (readOnly && existing === undefined) throw new DatabaseLayoutError(dir, 'no database here (the directory does not exist)');
    if (existing !== undefined) await checkDatabaseDirectory(fs, dir);
    if (!readOnly) await ensureDirectory(fs, dir);
    const lock = readOnly ? undefined : await DirectoryLock.acquire(dir, fs);
    try {
      return await Database.#load(dir, resolved, lock);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  static async #load(dir: string, options: ResolvedOptions, lock: DirectoryLock | undefined): Promise<Database> {
    const { fs, readOnly, onWarning } = options;
    const snapshotPath = await newestSnapshotPath(fs, dir);
    const fresh = snapshotPath === undefined && (await listSegments(fs, path.join(dir, LOG_DIR))).length === 0;
    const cipher = await openKeyring(fs, dir, options.encryptionKey, { create: fresh && !readOnly });
    if (!readOnly) await cleanStaleTemps(fs, dir);
    const state = new DocumentState();
    let snapshot: SnapshotFile | undefined;
    let lastSeq = 0;
    let lastTime = 0;
    if (snapshotPath !== undefined) {
      const loaded = await loadSnapshot(fs, snapshotPath, cipher, state, onWarning);
      snapshot = { seq: loaded.seq, path: snapshotPath };
      lastSeq = loaded.seq;
      lastTime = loaded.time;
    }
    const assembler = new CommitAssembler(
      (commit) => {
        for (const { entry } of commit.entries) {
          state.apply(entry);
          if (entry._t > lastTime) lastTime = entry._t;
        }
        lastSeq = commit.seq;
      },
      onWarning,
      path.join(dir, LOG_DIR),
    );
    const log = await EntryLog.open({
      fs,
      directory: dir,
      durability: options.durability,
      inlineSync: options.inlineSync,
      readOnly,
      afterSeq: lastSeq,
      onRecord: entryReader(cipher, assembler),
      onWarning,
    });
    try {
      assembler.finish();
      const db = new Database(dir, options, lock, cipher, log, state, lastSeq, lastTime, snapshot);
      await db.#compactor?.tidy(log.staleSegments, snapshotPath !== undefined && path.basename(snapshotPath) === NEXT_SNAPSHOT_FILE);
      return db;
    } catch (error) {
      await log.close();
      throw error;
    }
  }

  /** A handle on the collection `name` (it exists once something is written to it). */
  collection<T extends object = Record<string, unknown>>(name: string): Collection<T> {
    this.#assertOpen();
    return collectionHandle<T>(this.#internals, checkCollectionName(name));
  }

  /** Names of the collections that hold anything. */
  collections(): string[] {
    this.#assertOpen();
    return [...this.#state.collections.keys()];
  }

  /** Sequence number of the last commit applied (0 for an empty database). */
  get seq(): number {
    return this.#commits.lastSeq;
  }

  /**
   * Runs `fn` as one transaction: its writes are buffered and, when `fn` resolves, committed atomically
   * (TX_BEGIN, the entries and TX_COMMIT in one group write) and applied together, so readers never see
   * part of it. If `fn` throws, nothing is written. Concurrency is optimistic: if a document (or a whole
   * collection, for keys/count) the transaction looked at was changed by another commit before this one
   * commits, it throws ConflictError and applies nothing; run it again to retry.
   */
  async transaction<R>(fn: (tx: Transaction) => Promise<R> | R): Promise<R> {
    this.#assertWritable();
    const context = new TransactionContext(this.#state, () => this.#commits.now());
    let result: R;
    try {
      result = await fn(transactionHandle(context));
    } finally {
      context.end();
    }
    if (context.ops.length === 0) return result;
    const written = opsFootprint(context.ops);
    await this.#commits.whenFree(observedFootprint(context.observations, written), () => {
      validateObservations(this.#state, context.observations);
      return this.#commits.append(this.#commits.plan(context.ops), written);
    });
    return result;
  }

  /**
   * Writes a snapshot of every document (through the atomic writer), then retires the log segments it
   * covers and rotates the previous snapshot into `backup/`. Writes go on meanwhile, into a new segment.
   * Resolves with the snapshot written, or the current one when nothing changed since it.
   */
  compact(): Promise<SnapshotInfo> {
    this.#assertWritable();
    return (this.#compactor as Compactor).run();
  }

  /** Takes a snapshot now (MoltenDB's POST /snapshot); the same work as `compact`. */
  snapshot(): Promise<SnapshotInfo> {
    return this.compact();
  }

  /**
   * Durably deletes every expired document (own expiry passed, or its collection's TTL ran out) in one
   * commit; resolves with how many. Reads already hide them; this frees their memory and log space.
   */
  async sweepExpired(): Promise<number> {
    this.#assertWritable();
    const now = this.#options.clock();
    const collections = [...this.#state.collections].filter(([, state]) => state.expiring > 0 || collectionExpired(state, now)).map(([name]) => name);
    if (collections.length === 0) return 0;
    let entries: LogEntry[] = [];
    const footprint = collectionsFootprint(collections);
    await this.#commits.whenFree(footprint, () => {
      // Selected only now that no write to these collections is in flight, so a document rewritten meanwhile is spared.
      const time = this.#commits.now();
      entries = [];
      for (const name of collections) {
        const state = this.#state.collections.get(name);
        if (state === undefined) continue;
        const all = collectionExpired(state, time);
        for (const key of state.docs.keys()) {
          if (all || docExpired(state.get(key) as StoredDoc, time)) entries.push({ cmd: 'DELETE', collection: name, key, value: null, _t: time });
        }
      }
      return this.#commits.append(entries, footprint);
    });
    return entries.length;
  }

  stats(): DatabaseStats {
    this.#assertOpen();
    let documents = 0;
    const now = this.#options.clock();
    const perCollection: Record<string, CollectionStats> = {};
    for (const [name, collection] of this.#state.collections) {
      documents += collection.docs.size;
      perCollection[name] = collectionStats(collection, now);
    }
    const snapshot = this.#compactor?.current ?? this.#snapshotAtOpen;
    return {
      directory: this.directory,
      durability: this.#options.durability,
      encrypted: this.#cipher !== undefined,
      readOnly: this.#options.readOnly,
      collections: this.#state.collections.size,
      documents,
      seq: this.#commits.lastSeq,
      snapshot: snapshot === undefined ? undefined : { seq: snapshot.seq, path: snapshot.path },
      log: this.#log.stats(),
      compactions: this.#compactor?.completed ?? 0,
      compacting: this.#compactor?.running ?? false,
      changeListeners: this.#feed.listenerCount,
      collectionStats: perCollection,
    };
  }

  /** Calls `listener` with every commit after it is applied, in order. Returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.#assertOpen();
    return this.#feed.on(listener);
  }

  /**
   * Commits as an async iterable: with `sinceSeq`, first every commit after it still in the log (throws
   * ChangesUnavailableError when compaction removed them), then live commits until the database closes or
   * the loop breaks.
   */
  changes(options: ChangesOptions = {}): AsyncIterableIterator<Commit> {
    this.#assertOpen();
    const boundary = this.#commits.lastSeq;
    const sinceSeq = options.sinceSeq ?? boundary;
    if (!Number.isSafeInteger(sinceSeq) || sinceSeq < 0) {
      throw new InvalidOptionError('sinceSeq', `must be a non-negative integer sequence number, got ${String(sinceSeq)}`);
    }
    const stream = new ChangeStream(this.#feed, sinceSeq, sinceSeq < boundary);
    if (sinceSeq < boundary) {
      this.#readHistory(sinceSeq, boundary).then(
        (commits) => {
          stream.pushHistory(commits);
        },
        (error: unknown) => {
          stream.fail(asError(error));
        },
      );
    }
    return stream;
  }

  /** Writes what is buffered, waits for background work, and closes the log and the lock. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    try {
      await this.#autoCompaction;
      await this.#compactor?.idle();
      await this.#log.close();
      await this.#commits.whenSettled();
    } finally {
      this.#feed.close();
      await this.#lock?.release();
    }
  }

  /** Commits `ops` atomically; see DatabaseInternals. */
  #commitOps<R>(ops: readonly WriteOp[], result?: (planned: PlannedEntries) => R): Promise<R> {
    const footprint = opsFootprint(ops);
    return this.#commits.whenFree(footprint, () => this.#commits.append(this.#commits.plan(ops), footprint, result));
  }

  /**
   * Waits until no write to `collection` is in flight, then calls `select` and commits the ops it returns in
   * the same synchronous step, so the selection cannot go stale before it is planned.
   */
  #commitSelected(collection: string, select: (now: number) => WriteOp[]): Promise<PlannedEntries> {
    const footprint = collectionsFootprint([collection]);
    return this.#commits.whenFree(footprint, () => this.#commits.append(this.#commits.plan(select(this.#options.clock())), footprint));
  }

  #assertOpen(): void {
    if (this.#closed) throw new DatabaseClosedError(this.directory);
  }

  #assertWritable(): void {
    this.#assertOpen();
    if (this.#options.readOnly) throw new DatabaseReadOnlyError(this.directory);
  }

  #maybeCompact(): void {
    const compactor = this.#compactor;
    if (compactor === undefined || compactor.running || this.#closed) return;
    if (this.#log.bytes <= this.#autoCompactAbove) return;
    this.#autoCompaction = compactor.run().then(
      () => {
        this.#autoCompactAbove = this.#options.compactThresholdBytes;
      },
      (error: unknown) => {
        // Try again only once the log has grown by another threshold, not on every commit.
        this.#autoCompactAbove = this.#log.bytes + this.#options.compactThresholdBytes;
        this.#options.onWarning({
          code: 'compaction-failed',
          message: `automatic compaction failed: ${error instanceof Error ? error.message : String(error)}`,
          path: this.directory,
          cause: error,
        });
      },
    );
  }

  async #readHistory(sinceSeq: number, throughSeq: number): Promise<Commit[]> {
    if (!this.#options.readOnly) await this.#log.flush();
    return this.#log.segmentsLock.run(async () => {
      const segments = await allSegments(this.#options.fs, this.directory);
      const wanted = segmentsAfter(segments, sinceSeq);
      if (wanted === undefined) throw new ChangesUnavailableError(sinceSeq, oldestAvailableSeq(segments));
      const commits: Commit[] = [];
      const active = this.#log.activeSegment.path;
      await readCommits(
        this.#options.fs,
        wanted,
        this.#cipher,
        (commit) => {
          if (commit.seq > sinceSeq && commit.seq <= throughSeq) commits.push(commit);
        },
        (warning: DatabaseWarning) => {
          // The active segment is being appended to while it is read; a partial record at its end is expected.
          if (warning.path !== active) this.#options.onWarning(warning);
        },
      );
      return commits;
    });
  }
}

/** What is at `dir`; a path through a file is a DatabaseLayoutError, not a bare ENOTDIR. */
async function statDirectory(fs: FileSystem, dir: string): Promise<FileStat | undefined> {
  try {
    return await fs.stat(dir);
  } catch (error) {
    if (isErrno(error, 'ENOTDIR')) throw new DatabaseLayoutError(dir, 'cannot be a database directory: a part of the path is a file');
    throw error;
  }
}
