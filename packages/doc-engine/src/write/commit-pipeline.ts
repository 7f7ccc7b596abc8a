import { asError } from '@kilndb/wal-format';
import type { ChangeFeed } from '../changes.js';
import { checkSchema, evictions } from './constraints.js';
import type { EntryCipher } from '../crypto/index.js';
import { builtPayloads, type EntryAppendWaiter, type EntryLog, type PayloadSource, type SeqRange } from '../log/entry-log.js';
import { EntryPayloads, type LogEntry } from '../log/log-entry.js';
import { Overlay } from './overlay.js';
import { PendingWrites, keyFootprint, type Footprint } from './pending-writes.js';
import type { DocumentState } from '../state/state.js';
import { uuid7 } from '../uuid7.js';
import { planWrite, type WriteOp } from './write-plan.js';

/** What the commit pipeline writes through and applies to: the database's parts it needs. */
export interface CommitTarget {
  readonly state: DocumentState;
  readonly log: EntryLog;
  readonly cipher: EntryCipher | undefined;
  readonly feed: ChangeFeed;
  /** Unix ms; `now()` keeps it from going back. */
  readonly clock: () => number;
  assertWritable(): void;
  /** Called once a commit is applied (automatic compaction looks at the log size here). */
  afterCommit(): void;
}

/**
 * The path of a commit: wait until nothing it touches is in flight (`whenFree`), plan the ops against the
 * committed state (`plan`), encode and append the entries as one group write (`append`), and apply them
 * to the state, in log order, once the log's durability holds (`applyCommit`).
 */
export class CommitPipeline {
  /** Sequence number of the last commit applied. */
  lastSeq: number;
  /** The latest `_t` given out or replayed. */
  lastTime: number;
  private readonly pending = new PendingWrites();
  /** Commits whose records are placed in the log but not yet applied (or failed). */
  private unsettled = 0;
  private settledWaiters: (() => void)[] = [];

  constructor(
    private readonly target: CommitTarget,
    lastSeq: number,
    lastTime: number,
  ) {
    this.lastSeq = lastSeq;
    this.lastTime = lastTime;
  }

  /** Unix ms, never going back: `_t` stays ordered even if the clock steps back, which `recover --to-time` relies on. */
  now(): number {
    const time = Math.floor(this.target.clock());
    if (time > this.lastTime) this.lastTime = time;
    return this.lastTime;
  }

  /**
   * Waits until nothing in `footprint` is in flight, then runs `plan` in the same synchronous step as the
   * last check, so no other write can slip in between. `plan` must append what it planned before returning.
   * Errors, thrown or rejected, come back as a rejection.
   */
  whenFree<T>(footprint: Footprint, plan: () => Promise<T>): Promise<T> {
    try {
      this.target.assertWritable();
      const wait = this.pending.wait(footprint);
      return wait === undefined ? plan() : wait.then(() => this.whenFree(footprint, plan));
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Plans `ops` in order against the committed state (a scratch overlay when there are several). */
  plan(ops: readonly WriteOp[]): (LogEntry | undefined)[] {
    const state = this.target.state;
    const now = this.now();
    // Ops that cannot see each other's effects (one op, or sets of distinct keys) plan straight against
    // the committed state; others go through a scratch overlay so each sees the ones before it.
    let entries: (LogEntry | undefined)[];
    if (independentOps(ops)) {
      entries = ops.map((op) => planWrite(state, op, now));
    } else {
      const overlay = new Overlay(state, (collection) => state.reserveSeq(collection));
      entries = ops.map((op) => {
        const entry = planWrite(overlay, op, now);
        if (entry !== undefined) overlay.apply(entry);
        return entry;
      });
    }
    for (const entry of entries) if (entry !== undefined) checkSchema(state, entry);
    // Capped collections evict in the same commit as the write that overflows them.
    for (const entry of evictions(state, entries, now)) entries.push(entry);
    return entries;
  }

  /**
   * Appends the entries as one group write (bracketed as a transaction when there are several), and
   * applies them to the state once durable. Resolves, once applied, with `planned`, or what `result` makes
   * of it; until then writes that touch `footprint` wait.
   */
  append<P extends readonly (LogEntry | undefined)[], R = P>(planned: P, footprint: Footprint, result?: (planned: P) => R): Promise<R> {
    const entries: LogEntry[] = [];
    for (const entry of planned) if (entry !== undefined) entries.push(entry);
    if (entries.length === 0) return Promise.resolve(resolution(planned, result));
    const txId = entries.length > 1 ? uuid7() : undefined;
    let payloads: PayloadSource;
    try {
      payloads = this.encode(entries, txId);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const commit = new Commit(this, planned, entries, txId, footprint, result);
    // In flight before the append: the log may answer before it returns (a lone commit synced inline).
    this.pending.add(footprint, commit.done);
    try {
      this.target.log.appendFor(commit, payloads);
    } catch (error) {
      this.failed(commit, asError(error));
    }
    return commit.done;
  }

  /** The commit's records are placed in the log: it is applied (or fails) before `whenSettled` resolves. */
  placed(): void {
    this.unsettled++;
  }

  /** The commit is durable: applies it, lets the writes waiting on its footprint go, and resolves it. */
  applied<P extends readonly (LogEntry | undefined)[], R>(commit: Commit<P, R>): void {
    try {
      this.applyCommit(commit.range as SeqRange, commit.entries, commit.txId);
    } catch (error) {
      this.failed(commit, asError(error));
      return;
    }
    this.pending.remove(commit.footprint, commit.done);
    this.settleOne();
    let value: R;
    try {
      value = resolution(commit.planned, commit.result);
    } catch (error) {
      commit.reject(asError(error));
      return;
    }
    commit.resolve(value);
  }

  /** The commit failed (or could not be applied): writes waiting on its footprint go, and it rejects. */
  failed<P extends readonly (LogEntry | undefined)[], R>(commit: Commit<P, R>, error: Error): void {
    this.pending.remove(commit.footprint, commit.done);
    if (commit.range !== undefined) this.settleOne();
    commit.reject(error);
  }

  /** Resolves once every commit placed in the log so far is applied (or failed). */
  whenSettled(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** The entries' payloads (sealed when encrypted), one per entry of `entries`, framed as a transaction when `txId` is given. */
  private encode(entries: readonly LogEntry[], txId: string | undefined): PayloadSource {
    let payloads: EntryPayloads;
    if (txId === undefined) {
      payloads = new EntryPayloads(entries);
    } else {
      const time = (entries[0] as LogEntry)._t;
      const framed: LogEntry[] = [{ cmd: 'TX_BEGIN', collection: '', key: txId, value: null, _t: time }];
      for (const entry of entries) framed.push(entry);
      framed.push({ cmd: 'TX_COMMIT', collection: '', key: txId, value: { count: entries.length }, _t: time });
      payloads = new EntryPayloads(framed, txId, 1, framed.length - 1);
    }
    const cipher = this.target.cipher;
    if (cipher === undefined) return payloads;
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < payloads.count; i++) {
      const plain = Buffer.allocUnsafe(payloads.length(i));
      payloads.write(i, plain, 0);
      sealed.push(cipher.seal(plain));
    }
    return builtPayloads(sealed);
  }

  private applyCommit(range: SeqRange, entries: readonly LogEntry[], txId: string | undefined): void {
    const { state, feed } = this.target;
    // An INSERT's value is the stored document the plan built: a frozen deep copy of the caller's fields,
    // with every string flat and the fields laid out in the object itself, so it is kept as it is.
    for (const entry of entries) state.apply(entry);
    this.lastSeq = range.lastSeq;
    if (feed.active) {
      const first = txId === undefined ? range.firstSeq : range.firstSeq + 1;
      feed.emit({ seq: range.lastSeq, txId, entries: entries.map((entry, i) => ({ seq: first + i, entry })) });
    }
    this.target.afterCommit();
  }

  private settleOne(): void {
    this.unsettled--;
    if (this.unsettled > 0) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Whether no op of `ops` can see another's effect: one op, or sets to distinct keys of one collection. A set
 * reads only its own key's document (and reserves a `_seq` from the state either way), so planned against
 * the committed state each gives what it would after the others. Fresh generated keys are distinct.
 */
function independentOps(ops: readonly WriteOp[]): boolean {
  const first = ops[0];
  if (ops.length === 1 || first === undefined) return true;
  if (ops.every((op) => op.kind === 'set' && op.generatedKey)) return true;
  const keys = new Set<string>();
  for (const op of ops) {
    if (op.kind !== 'set' || op.collection !== first.collection || keys.has(op.key)) return false;
    keys.add(op.key);
  }
  return true;
}

/** The keys and collections `ops` write (what they wait for and, in flight, what others wait for). */
export function opsFootprint(ops: readonly WriteOp[]): Footprint {
  const only = ops.length === 1 ? ops[0] : undefined;
  if (only !== undefined && only.kind !== 'drop' && only.kind !== 'setting') return keyFootprint(only.collection, waitedKey(only));
  const keys: (string | undefined)[] = [];
  const collections: string[] = [];
  for (const op of ops) {
    if (op.kind === 'drop' || op.kind === 'setting') collections.push(op.collection);
    else keys.push(op.collection, waitedKey(op));
  }
  return { keys, collections };
}

/** The key a write of one document holds: none for a fresh generated key, which no other write can know. */
function waitedKey(op: Extract<WriteOp, { key: string; kind: 'set' | 'update' | 'delete' }>): string | undefined {
  return op.kind === 'set' && op.generatedKey ? undefined : op.key;
}

/**
 * One commit on its way through the log: what it applies once durable and the promise its writer holds. The
 * log tells it directly (AppendWaiter), so a commit costs one promise, not one per layer.
 */
class Commit<P extends readonly (LogEntry | undefined)[], R> implements EntryAppendWaiter {
  range: SeqRange | undefined;
  readonly done: Promise<R>;
  resolve!: (value: R) => void;
  reject!: (error: Error) => void;

  constructor(
    private readonly pipeline: CommitPipeline,
    readonly planned: P,
    readonly entries: readonly LogEntry[],
    readonly txId: string | undefined,
    readonly footprint: Footprint,
    readonly result: ((planned: P) => R) | undefined,
  ) {
    this.done = new Promise<R>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  placed(range: SeqRange): void {
    this.range = range;
    this.pipeline.placed();
  }

  appended(): void {
    this.pipeline.applied(this);
  }

  failed(error: Error): void {
    this.pipeline.failed(this, error);
  }
}

/** What a commit resolves with: `planned`, or what `result` makes of it. */
function resolution<P, R>(planned: P, result: ((planned: P) => R) | undefined): R {
  // Without `result`, R is P (append's default).
  return result === undefined ? (planned as unknown as R) : result(planned);
}
