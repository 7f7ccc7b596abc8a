import { docExpired } from './state/live.js';
import { checkCollectionName, checkKey, readView, type ReadDoc } from './state/documents.js';
import type { LogEntry } from './log/log-entry.js';
import type { TransactionContext } from './write/transaction-context.js';
import { deleteManyOps, deleteOp, insertOps, resultOf, setOp, updateOp, type ExpiryOptions, type InsertInput, type VersionGuard, type WriteOptions, type WriteResult } from './write/write-ops.js';

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
