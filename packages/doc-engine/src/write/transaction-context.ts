import { ConflictError, TransactionClosedError } from '../errors.js';
import type { LogEntry } from '../log/log-entry.js';
import type { DocumentState } from '../state/state.js';
import { checkSchema } from './constraints.js';
import { Overlay, type Observations } from './overlay.js';
import type { Footprint } from './pending-writes.js';
import { planWrite, type WriteOp } from './write-plan.js';

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

/** Everything a transaction looked at or writes: its commit waits until none of it is in flight. */
export function observedFootprint(observations: Observations, written: Footprint): Footprint {
  const keys = [...written.keys];
  for (const [collection, seen] of observations.keys) for (const key of seen.keys()) keys.push(collection, key);
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

