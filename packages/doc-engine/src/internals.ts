import type { LogEntry } from './log/log-entry.js';
import type { DocumentState } from './state/state.js';
import type { WriteOp } from './write/write-plan.js';

/** Each op's log entry, in op order (undefined for an op that changed nothing). */
export type PlannedEntries = readonly (LogEntry | undefined)[];

/**
 * The engine side of a Database: what a Collection handle works through. It is kept off the public classes
 * (Database and Collection hold it in `#` fields), so neither the package's types nor a caller at run time
 * can reach the state or commit entries except through the documented methods.
 */
export interface DatabaseInternals {
  readonly state: DocumentState;
  /** Throws DatabaseClosedError once the database is closed. */
  assertOpen(): void;
  /** Unix ms by the database's clock (expiry is judged by it). */
  readTime(): number;
  /**
   * Commits `ops` atomically (planned in order against the committed state) and resolves, once durable and
   * applied, with each op's log entry (undefined for an op that changed nothing), or with what `result`
   * makes of them (a write's result, with no promise step of its own).
   */
  commitOps<R = PlannedEntries>(ops: readonly WriteOp[], result?: (planned: PlannedEntries) => R): Promise<R>;
  /**
   * Like commitOps, with the ops chosen by `select` once no write to `collection` is in flight, in the same
   * synchronous step as planning them, so the selection cannot go stale first.
   */
  commitSelected(collection: string, select: (now: number) => WriteOp[]): Promise<PlannedEntries>;
}

// Module-private: only code inside the package, which imports this file, can look a database's internals up.
const registry = new WeakMap<object, DatabaseInternals>();

/** Records `internals` as the engine of `database` (Database's constructor does this once). */
export function attachInternals(database: object, internals: DatabaseInternals): void {
  registry.set(database, internals);
}

/** The engine of `database`, for the package's own code that holds only the Database (its tests). */
export function internalsOf(database: object): DatabaseInternals {
  const internals = registry.get(database);
  if (internals === undefined) throw new TypeError('not a Database opened by this copy of @kilndb/doc-engine');
  return internals;
}
