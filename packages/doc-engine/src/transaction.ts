import { checkSchema } from './write/constraints.js';
import { docExpired } from './state/live.js';
import { checkCollectionName, checkKey, readView, type ReadDoc } from './state/documents.js';
import { ConflictError, TransactionClosedError } from './errors.js';
import type { LogEntry } from './log/log-entry.js';
import { Overlay, type Observations } from './write/overlay.js';
import { addKey, type Footprint } from './write/pending-writes.js';
import type { DocumentState } from './state/state.js';
import { deleteManyOps, deleteOp, insertOps, resultOf, setOp, updateOp, type ExpiryOptions, type InsertInput, type VersionGuard, type WriteOptions, type WriteResult } from './write/write-ops.js';
import { planWrite, type WriteOp } from './write/write-plan.js';

/**
 * One transaction in progress. Its writes are planned against its overlay (so its reads see them) and kept
 * until the callback returns; then the database checks that nothing the transaction looked at changed and
 * commits them all at once, or throws ConflictError with nothing applied.
 */
export class TransactionContext {
  readonly ops: WriteOp[] = [];
  readonly observations: Observations = { keys: new Map(), collections: new Map() };
  readonly view: Overlay;
  private provisionalSeq = 0;
  private ended = false;

  constructor(
    private readonly state: DocumentState,
    readonly now: () => number,
  ) {
    // `_seq` values planned here are placeholders (reads never show them); the commit plans again with real ones.
    this.view = new Overlay(state, () => ++this.provisionalSeq, this.observations);
  }

  end(): void {
    this.ended = true;
  }

  assertOpen(): void {
    if (this.ended) throw new TransactionClosedError();
  }

  /** Plans `op` in the transaction's view (a failing guard throws now) and keeps it for the commit. */
  write(op: WriteOp): LogEntry | undefined {
    this.assertOpen();
    const entry = planWrite(this.view, op, this.now());
    if (entry === undefined) return undefined;
    checkSchema(this.state, entry);
    this.view.apply(entry);
    this.ops.push(op);
    return entry;
  }
}

// Set by the classes' static blocks: the one way to call their private constructors from outside each class.
let newTransaction: (context: TransactionContext) => Transaction;
let newTransactionCollection: <T extends object>(context: TransactionContext, name: string) => TransactionCollection<T>;

/** The handle for the transaction `context` (Database.transaction passes it to the callback). */
export function transactionHandle(context: TransactionContext): Transaction {
  return newTransaction(context);
}

/** The handle `db.transaction(async (tx) => ...)` passes to its callback. */
export class Transaction {
  readonly #context: TransactionContext;

  // Private, so the transaction's context is no part of the class's type.
  private constructor(context: TransactionContext) {
    this.#context = context;
  }

  static {
    newTransaction = (context) => new Transaction(context);
  }

  collection<T extends object = Record<string, unknown>>(name: string): TransactionCollection<T> {
    this.#context.assertOpen();
    return newTransactionCollection<T>(this.#context, checkCollectionName(name));
  }
}

/**
 * A collection seen from inside a transaction, with the methods of `Collection`. Reads see the
 * transaction's own writes; writes take effect only if the transaction commits.
 */
export class TransactionCollection<T extends object = Record<string, unknown>> {
  readonly #context: TransactionContext;
  readonly name: string;

  private constructor(context: TransactionContext, name: string) {
    this.#context = context;
    this.name = name;
  }

  static {
    newTransactionCollection = <U extends object>(context: TransactionContext, name: string) => new TransactionCollection<U>(context, name);
  }

  get(key: string): ReadDoc<T> | undefined {
    this.#context.assertOpen();
    const doc = this.#context.view.doc(this.name, checkKey(key));
    // A document past its own expiry is gone here as everywhere (the collection TTL is judged at commit only).
    return doc === undefined || docExpired(doc, this.#context.now()) ? undefined : (readView(doc) as ReadDoc<T>);
  }

  keys(): string[] {
    this.#context.assertOpen();
    return this.#context.view.keys(this.name);
  }

  count(): number {
    return this.keys().length;
  }

  set(key: string, doc: T, options?: WriteOptions): Promise<WriteResult> {
    return settle(() => resultOf(this.#context.write(setOp(this.name, key, doc, options)) as LogEntry));
  }

  update(key: string, patch: Partial<T>, options?: WriteOptions): Promise<WriteResult> {
    return settle(() => resultOf(this.#context.write(updateOp(this.name, key, patch, options)) as LogEntry));
  }

  insert(docs: InsertInput<T>, options?: ExpiryOptions): Promise<string[]> {
    return settle(() =>
      insertOps(this.name, docs, options).map((op) => {
        this.#context.write(op);
        return (op as { key: string }).key;
      }),
    );
  }

  delete(key: string, options?: VersionGuard): Promise<boolean> {
    return settle(() => this.#context.write(deleteOp(this.name, key, options)) !== undefined);
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    return settle(() => deleteManyOps(this.name, keys).filter((op) => this.#context.write(op) !== undefined).length);
  }

  drop(): Promise<boolean> {
    return settle(() => this.#context.write({ kind: 'drop', collection: this.name }) !== undefined);
  }
}

/** Runs a synchronous write as a promise, so a transaction's methods fail the same way a collection's do. */
function settle<R>(body: () => R): Promise<R> {
  // The executor runs at once (the write is recorded before this returns); a throw in it rejects.
  return new Promise((resolve) => {
    resolve(body());
  });
}

/** Everything a transaction looked at or writes: its commit waits until none of it is in flight. */
export function observedFootprint(observations: Observations, written: Footprint): Footprint {
  const keys = new Map<string, string[]>();
  for (const [collection, list] of written.keys) for (const key of list) addKey(keys, collection, key);
  for (const [collection, seen] of observations.keys) for (const key of seen.keys()) addKey(keys, collection, key);
  return { keys, collections: [...written.collections, ...observations.collections.keys()] };
}

/** Throws ConflictError if anything the transaction looked at changed since it looked. */
export function validateObservations(state: DocumentState, observations: Observations): void {
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

