import * as path from 'node:path';
import { DirectoryLock } from '@kilndb/payload-store';
import { cleanStaleTemps, isErrno, type FileStat, type FileSystem } from '@kilndb/snapshot';
import { ChangeFeed, ChangeStream, type ChangeListener } from './changes.js';
import { Collection, type CollectionEngine } from './collection.js';
import { Compactor, type SnapshotInfo } from './compaction.js';
import { checkSchema, evictions } from './constraints.js';
import { openKeyring, type EntryCipher } from './crypto/index.js';
import { ensureDirectory } from './directories.js';
import { checkCollectionName } from './documents.js';
import { EntryLog, type EntryLogStats, type SeqRange } from './entry-log.js';
import {
  ChangesUnavailableError,
  ConflictError,
  DatabaseClosedError,
  DatabaseLayoutError,
  DatabaseReadOnlyError,
  InvalidOptionError,
} from './errors.js';
import { checkDatabaseDirectory } from './layout.js';
import { allSegments, entryReader, oldestAvailableSeq, readCommits, segmentsAfter } from './history.js';
import { encodeEntries, type LogEntry } from './log-entry.js';
import { resolveOptions, type DatabaseOptions, type ResolvedOptions } from './options.js';
import { Overlay, type Observations } from './overlay.js';
import { PendingWrites, addKey, type Footprint } from './pending-writes.js';
import { CommitAssembler, type Commit } from './replay.js';
import { LOG_DIR, listSegments } from './segments.js';
import { NEXT_SNAPSHOT_FILE, loadSnapshot, newestSnapshotPath, type SnapshotFile } from './snapshot-store.js';
import { collectionStats, type CollectionStats } from './collection-stats.js';
import { collectionExpired, docExpired } from './live.js';
import type { StoredDoc } from './query/types.js';
import { DocumentState } from './state.js';
import { Transaction, TransactionContext } from './transaction.js';
import { uuid7 } from './uuid7.js';
import type { DatabaseWarning } from './warnings.js';
import { planWrite, type WriteOp } from './write-plan.js';

export interface DatabaseStats {
  readonly directory: string;
  readonly durability: ResolvedOptions['durability'];
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
export class Database implements CollectionEngine {
  readonly state: DocumentState;
  private readonly pending = new PendingWrites();
  private readonly feed: ChangeFeed;
  private readonly compactor: Compactor | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private lastSeq: number;
  private lastTime: number;
  /** Commits whose records are placed in the log but not yet applied (or failed). */
  private unsettled = 0;
  private settledWaiters: (() => void)[] = [];
  private autoCompaction: Promise<unknown> | undefined;
  /** Log size past which a commit starts an automatic compaction. */
  private autoCompactAbove: number;
  private readonly snapshotAtOpen: SnapshotFile | undefined;
  private readonly sweepTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly directory: string,
    private readonly options: ResolvedOptions,
    private readonly lock: DirectoryLock | undefined,
    private readonly cipher: EntryCipher | undefined,
    private readonly log: EntryLog,
    state: DocumentState,
    lastSeq: number,
    lastTime: number,
    snapshot: SnapshotFile | undefined,
  ) {
    this.state = state;
    this.lastSeq = lastSeq;
    this.lastTime = lastTime;
    this.feed = new ChangeFeed(options.onWarning);
    this.autoCompactAbove = options.compactThresholdBytes;
    this.compactor = options.readOnly
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
            await this.whenSettled();
            return { state: this.state, seq: coveredSeq, time: this.lastTime };
          },
        });
    this.snapshotAtOpen = snapshot;
    if (options.sweepIntervalMs !== undefined && !options.readOnly) {
      this.sweepTimer = setInterval(() => {
        this.sweepExpired().catch((error: unknown) => {
          if (this.closed) return;
          options.onWarning({
            code: 'sweep-failed',
            message: `sweeping expired documents failed: ${error instanceof Error ? error.message : String(error)}`,
            path: directory,
            cause: error,
          });
        });
      }, options.sweepIntervalMs);
      // The sweep is housekeeping: it must not keep the process alive.
      this.sweepTimer.unref();
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
      return await Database.load(dir, resolved, lock);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  private static async load(dir: string, options: ResolvedOptions, lock: DirectoryLock | undefined): Promise<Database> {
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
      const loaded = await loadSnapshot(fs, snapshotPath, cipher, state);
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
      readOnly,
      afterSeq: lastSeq,
      onRecord: entryReader(cipher, assembler),
      onWarning,
    });
    try {
      assembler.finish();
      const db = new Database(dir, options, lock, cipher, log, state, lastSeq, lastTime, snapshot);
      await db.compactor?.tidy(log.staleSegments, snapshotPath !== undefined && path.basename(snapshotPath) === NEXT_SNAPSHOT_FILE);
      return db;
    } catch (error) {
      await log.close();
      throw error;
    }
  }

  /** A handle on the collection `name` (it exists once something is written to it). */
  collection<T extends object = Record<string, unknown>>(name: string): Collection<T> {
    this.assertOpen();
    return new Collection<T>(this, checkCollectionName(name));
  }

  /** Names of the collections that hold anything. */
  collections(): string[] {
    this.assertOpen();
    return [...this.state.collections.keys()];
  }

  /** Sequence number of the last commit applied (0 for an empty database). */
  get seq(): number {
    return this.lastSeq;
  }

  /**
   * Runs `fn` as one transaction: its writes are buffered and, when `fn` resolves, committed atomically
   * (TX_BEGIN, the entries and TX_COMMIT in one group write) and applied together, so readers never see
   * part of it. If `fn` throws, nothing is written. Concurrency is optimistic: if a document (or a whole
   * collection, for keys/count) the transaction looked at was changed by another commit before this one
   * commits, it throws ConflictError and applies nothing; run it again to retry.
   */
  async transaction<R>(fn: (tx: Transaction) => Promise<R> | R): Promise<R> {
    this.assertWritable();
    const context = new TransactionContext(this.state, () => this.now());
    let result: R;
    try {
      result = await fn(new Transaction(context));
    } finally {
      context.end();
    }
    if (context.ops.length === 0) return result;
    const written = opsFootprint(context.ops);
    await this.whenFree(observedFootprint(context.observations, written), () => {
      validateObservations(this.state, context.observations);
      return this.append(this.plan(context.ops), written);
    });
    return result;
  }

  /** @internal Commits `ops` atomically; see CollectionEngine. */
  async commitOps(ops: readonly WriteOp[]): Promise<readonly (LogEntry | undefined)[]> {
    const footprint = opsFootprint(ops);
    let entries: (LogEntry | undefined)[] = [];
    await this.whenFree(footprint, () => {
      entries = this.plan(ops);
      return this.append(entries, footprint);
    });
    return entries;
  }

  /**
   * Writes a snapshot of every document (through the atomic writer), then retires the log segments it
   * covers and rotates the previous snapshot into `backup/`. Writes go on meanwhile, into a new segment.
   * Resolves with the snapshot written, or the current one when nothing changed since it.
   */
  compact(): Promise<SnapshotInfo> {
    this.assertWritable();
    return (this.compactor as Compactor).run();
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
    this.assertWritable();
    const now = this.options.clock();
    const collections = [...this.state.collections].filter(([, state]) => state.expiring > 0 || collectionExpired(state, now)).map(([name]) => name);
    if (collections.length === 0) return 0;
    let entries: LogEntry[] = [];
    await this.whenFree({ keys: new Map(), collections }, () => {
      // Selected only now that no write to these collections is in flight, so a document rewritten meanwhile is spared.
      const time = this.now();
      entries = [];
      for (const name of collections) {
        const state = this.state.collections.get(name);
        if (state === undefined) continue;
        const all = collectionExpired(state, time);
        for (const key of state.docs.keys()) {
          if (all || docExpired(state.get(key) as StoredDoc, time)) entries.push({ cmd: 'DELETE', collection: name, key, value: null, _t: time });
        }
      }
      return this.append(entries, { keys: new Map(), collections });
    });
    return entries.length;
  }

  /** @internal Unix ms by the database's clock, for expiry checks. */
  readTime(): number {
    return this.options.clock();
  }

  /**
   * @internal Waits until no write to `collection` is in flight, then calls `select` and commits the ops it
   * returns in the same synchronous step, so the selection cannot go stale before it is planned.
   */
  async commitSelected(collection: string, select: (now: number) => WriteOp[]): Promise<readonly (LogEntry | undefined)[]> {
    const footprint: Footprint = { keys: new Map(), collections: [collection] };
    let entries: (LogEntry | undefined)[] = [];
    await this.whenFree(footprint, () => {
      entries = this.plan(select(this.options.clock()));
      return this.append(entries, footprint);
    });
    return entries;
  }

  stats(): DatabaseStats {
    this.assertOpen();
    let documents = 0;
    const now = this.options.clock();
    const perCollection: Record<string, CollectionStats> = {};
    for (const [name, collection] of this.state.collections) {
      documents += collection.docs.size;
      perCollection[name] = collectionStats(collection, now);
    }
    const snapshot = this.compactor?.current ?? this.snapshotAtOpen;
    return {
      directory: this.directory,
      durability: this.options.durability,
      encrypted: this.cipher !== undefined,
      readOnly: this.options.readOnly,
      collections: this.state.collections.size,
      documents,
      seq: this.lastSeq,
      snapshot: snapshot === undefined ? undefined : { seq: snapshot.seq, path: snapshot.path },
      log: this.log.stats(),
      compactions: this.compactor?.completed ?? 0,
      compacting: this.compactor?.running ?? false,
      collectionStats: perCollection,
    };
  }

  /** Calls `listener` with every commit after it is applied, in order. Returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.assertOpen();
    return this.feed.on(listener);
  }

  /**
   * Commits as an async iterable: with `sinceSeq`, first every commit after it still in the log (throws
   * ChangesUnavailableError when compaction removed them), then live commits until the database closes or
   * the loop breaks.
   */
  changes(options: ChangesOptions = {}): AsyncIterableIterator<Commit> {
    this.assertOpen();
    const boundary = this.lastSeq;
    const sinceSeq = options.sinceSeq ?? boundary;
    if (!Number.isSafeInteger(sinceSeq) || sinceSeq < 0) {
      throw new InvalidOptionError('sinceSeq', `must be a non-negative integer sequence number, got ${String(sinceSeq)}`);
    }
    const stream = new ChangeStream(this.feed, sinceSeq, sinceSeq < boundary);
    if (sinceSeq < boundary) {
      this.readHistory(sinceSeq, boundary).then(
        (commits) => {
          stream.pushHistory(commits);
        },
        (error: unknown) => {
          stream.fail(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
    return stream;
  }

  /** Writes what is buffered, waits for background work, and closes the log and the lock. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    try {
      await this.autoCompaction;
      await this.compactor?.idle();
      await this.log.close();
      await this.whenSettled();
    } finally {
      this.feed.close();
      await this.lock?.release();
    }
  }

  /** @internal */
  assertOpen(): void {
    if (this.closed) throw new DatabaseClosedError(this.directory);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.options.readOnly) throw new DatabaseReadOnlyError(this.directory);
  }

  /** Unix ms, never going back: `_t` stays ordered even if the clock steps back, which `recover --to-time` relies on. */
  private now(): number {
    const time = Math.floor(this.options.clock());
    if (time > this.lastTime) this.lastTime = time;
    return this.lastTime;
  }

  /**
   * Waits until nothing in `footprint` is in flight, then runs `plan` in the same synchronous step as the
   * last check, so no other write can slip in between. `plan` must append what it planned before returning.
   */
  private async whenFree<T>(footprint: Footprint, plan: () => T): Promise<T> {
    this.assertWritable();
    for (let wait = this.pending.wait(footprint); wait !== undefined; wait = this.pending.wait(footprint)) {
      await wait;
      this.assertWritable();
    }
    return plan();
  }

  /** Plans `ops` in order against the committed state (a scratch overlay when there are several). */
  private plan(ops: readonly WriteOp[]): (LogEntry | undefined)[] {
    const now = this.now();
    // Ops that cannot see each other's effects (one op, or sets of fresh generated keys) plan straight
    // against the committed state; others go through a scratch overlay so each sees the ones before it.
    let entries: (LogEntry | undefined)[];
    if (ops.length === 1 || ops.every((op) => op.kind === 'set' && op.generatedKey)) {
      entries = ops.map((op) => planWrite(this.state, op, now));
    } else {
      const overlay = new Overlay(this.state, (collection) => this.state.reserveSeq(collection));
      entries = ops.map((op) => {
        const entry = planWrite(overlay, op, now);
        if (entry !== undefined) overlay.apply(entry);
        return entry;
      });
    }
    for (const entry of entries) if (entry !== undefined) checkSchema(this.state, entry);
    // Capped collections evict in the same commit as the write that overflows them.
    for (const entry of evictions(this.state, entries, now)) entries.push(entry);
    return entries;
  }

  /**
   * Appends the entries as one group write (bracketed as a transaction when there are several), and
   * applies them to the state once durable. Resolves when applied; until then writes that touch
   * `footprint` wait.
   */
  private append(planned: readonly (LogEntry | undefined)[], footprint: Footprint): Promise<void> {
    const entries = planned.filter((entry): entry is LogEntry => entry !== undefined);
    if (entries.length === 0) return Promise.resolve();
    const txId = entries.length > 1 ? uuid7() : undefined;
    let payloads: Uint8Array[];
    try {
      payloads = this.encode(entries, txId);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    let placed = false;
    let written: Promise<SeqRange>;
    try {
      written = this.log.append(payloads, () => {
        placed = true;
        this.unsettled++;
      });
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const applied = written
      .then((range) => {
        this.applyCommit(range, entries, txId);
      })
      .finally(() => {
        if (placed) this.settleOne();
      });
    this.pending.add(footprint, applied);
    return applied;
  }

  private encode(entries: readonly LogEntry[], txId: string | undefined): Uint8Array[] {
    let payloads: Uint8Array[];
    if (txId === undefined) {
      payloads = encodeEntries(entries);
    } else {
      const time = (entries[0] as LogEntry)._t;
      const framed: LogEntry[] = [{ cmd: 'TX_BEGIN', collection: '', key: txId, value: null, _t: time }];
      for (const entry of entries) framed.push(entry);
      framed.push({ cmd: 'TX_COMMIT', collection: '', key: txId, value: { count: entries.length }, _t: time });
      payloads = encodeEntries(framed, txId, 1, framed.length - 1);
    }
    const cipher = this.cipher;
    return cipher === undefined ? payloads : payloads.map((plain) => cipher.seal(plain));
  }

  private applyCommit(range: SeqRange, entries: readonly LogEntry[], txId: string | undefined): void {
    for (const entry of entries) this.state.apply(entry);
    this.lastSeq = range.lastSeq;
    if (this.feed.active) {
      const first = txId === undefined ? range.firstSeq : range.firstSeq + 1;
      this.feed.emit({ seq: range.lastSeq, txId, entries: entries.map((entry, i) => ({ seq: first + i, entry })) });
    }
    this.maybeCompact();
  }

  private settleOne(): void {
    this.unsettled--;
    if (this.unsettled > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once every commit placed in the log so far is applied (or failed). */
  private whenSettled(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private maybeCompact(): void {
    const compactor = this.compactor;
    if (compactor === undefined || compactor.running || this.closed) return;
    if (this.log.bytes <= this.autoCompactAbove) return;
    this.autoCompaction = compactor.run().then(
      () => {
        this.autoCompactAbove = this.options.compactThresholdBytes;
      },
      (error: unknown) => {
        // Try again only once the log has grown by another threshold, not on every commit.
        this.autoCompactAbove = this.log.bytes + this.options.compactThresholdBytes;
        this.options.onWarning({
          code: 'compaction-failed',
          message: `automatic compaction failed: ${error instanceof Error ? error.message : String(error)}`,
          path: this.directory,
          cause: error,
        });
      },
    );
  }

  private async readHistory(sinceSeq: number, throughSeq: number): Promise<Commit[]> {
    if (!this.options.readOnly) await this.log.flush();
    return this.log.segmentsLock.run(async () => {
      const segments = await allSegments(this.options.fs, this.directory);
      const wanted = segmentsAfter(segments, sinceSeq);
      if (wanted === undefined) throw new ChangesUnavailableError(sinceSeq, oldestAvailableSeq(segments));
      const commits: Commit[] = [];
      const active = this.log.activeSegment.path;
      await readCommits(
        this.options.fs,
        wanted,
        this.cipher,
        (commit) => {
          if (commit.seq > sinceSeq && commit.seq <= throughSeq) commits.push(commit);
        },
        (warning: DatabaseWarning) => {
          // The active segment is being appended to while it is read; a partial record at its end is expected.
          if (warning.path !== active) this.options.onWarning(warning);
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The keys and collections `ops` write (what they wait for and, in flight, what others wait for). */
function opsFootprint(ops: readonly WriteOp[]): Footprint {
  const keys = new Map<string, string[]>();
  const collections: string[] = [];
  for (const op of ops) {
    if (op.kind === 'drop' || op.kind === 'setting') collections.push(op.collection);
    else addKey(keys, op.collection, op.kind === 'set' && op.generatedKey ? undefined : op.key);
  }
  return { keys, collections };
}

/** Everything a transaction looked at or writes: its commit waits until none of it is in flight. */
function observedFootprint(observations: Observations, written: Footprint): Footprint {
  const keys = new Map<string, string[]>();
  for (const [collection, list] of written.keys) for (const key of list) addKey(keys, collection, key);
  for (const [collection, seen] of observations.keys) for (const key of seen.keys()) addKey(keys, collection, key);
  return { keys, collections: [...written.collections, ...observations.collections.keys()] };
}

/** Throws ConflictError if anything the transaction looked at changed since it looked. */
function validateObservations(state: DocumentState, observations: Observations): void {
  for (const [collection, seen] of observations.keys) {
    for (const [key, doc] of seen) {
      const now = state.doc(collection, key);
      if (now !== doc) {
        throw new ConflictError(
          collection,
          key,
          doc?._v ?? 0,
          now?._v ?? 0,
          `another commit changed the document after the transaction read it (version ${doc?._v ?? 0} then, ${now?._v ?? 0} now)`,
        );
      }
    }
  }
  for (const [collection, seen] of observations.collections) {
    const now = state.collections.get(collection);
    if (now !== seen.state || (now?.version ?? 0) !== seen.version) {
      throw new ConflictError(collection, undefined, undefined, undefined, 'another commit changed the collection after the transaction listed or counted it');
    }
  }
}

