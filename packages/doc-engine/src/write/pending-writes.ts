/** What a commit touches: per collection the keys it writes or read, and collections it writes or read whole. */
export interface Footprint {
  /** Per collection, keys written or read. A collection listed with no keys is still touched (its writes are counted). */
  readonly keys: ReadonlyMap<string, readonly string[]>;
  /** Collections dropped, or read as a whole (keys, count). */
  readonly collections: readonly string[];
}

interface CollectionPending {
  /** The last in-flight write of each key. */
  readonly keys: Map<string, Promise<unknown>>;
  /** Every in-flight write to the collection. */
  readonly all: Set<Promise<unknown>>;
  /** An in-flight write to the collection as a whole (DROP). */
  whole: Promise<unknown> | undefined;
}

/**
 * Writes appended to the log but not yet applied. A write plans its entries against the committed state,
 * so it first waits until nothing it depends on is in flight: two writes to one key never race, and a write
 * never builds on one that might still fail. Writes to distinct keys do not wait for each other and share
 * group commits.
 */
export class PendingWrites {
  private readonly byCollection = new Map<string, CollectionPending>();

  /**
   * A promise that settles when one thing `footprint` waits for is done, or undefined when nothing is in
   * flight for it. Check again after it settles: another write may have started meanwhile.
   */
  wait(footprint: Footprint): Promise<void> | undefined {
    return this.blocker(footprint)?.then(ignore, ignore);
  }

  private blocker(footprint: Footprint): Promise<unknown> | undefined {
    if (this.byCollection.size === 0) return undefined;
    for (const [collection, keys] of footprint.keys) {
      const pending = this.byCollection.get(collection);
      if (pending === undefined) continue;
      if (pending.whole !== undefined) return pending.whole;
      for (const key of keys) {
        const blocker = pending.keys.get(key);
        if (blocker !== undefined) return blocker;
      }
    }
    for (const collection of footprint.collections) {
      const pending = this.byCollection.get(collection);
      if (pending !== undefined) for (const blocker of pending.all) return blocker;
    }
    return undefined;
  }

  /** Records an in-flight write of `footprint`, settling with `done`, until `remove`. */
  add(footprint: Footprint, done: Promise<unknown>): void {
    for (const [collection, keys] of footprint.keys) {
      const pending = this.ensure(collection);
      pending.all.add(done);
      for (const key of keys) pending.keys.set(key, done);
    }
    for (const collection of footprint.collections) {
      const pending = this.ensure(collection);
      pending.whole = done;
      pending.all.add(done);
    }
  }

  /** The write `add` recorded is applied or failed: writes waiting on it may plan now. */
  remove(footprint: Footprint, done: Promise<unknown>): void {
    for (const [collection, keys] of footprint.keys) {
      const pending = this.byCollection.get(collection);
      if (pending === undefined) continue;
      for (const key of keys) if (pending.keys.get(key) === done) pending.keys.delete(key);
      this.release(collection, pending, done);
    }
    for (const collection of footprint.collections) {
      const pending = this.byCollection.get(collection);
      if (pending === undefined) continue;
      if (pending.whole === done) pending.whole = undefined;
      this.release(collection, pending, done);
    }
  }

  private release(collection: string, pending: CollectionPending, done: Promise<unknown>): void {
    pending.all.delete(done);
    if (pending.all.size === 0) this.byCollection.delete(collection);
  }

  private ensure(collection: string): CollectionPending {
    let pending = this.byCollection.get(collection);
    if (pending === undefined) {
      pending = { keys: new Map(), all: new Set(), whole: undefined };
      this.byCollection.set(collection, pending);
    }
    return pending;
  }
}

/** Adds `key` under `collection` in a footprint being built. */
export function addKey(keys: Map<string, string[]>, collection: string, key: string | undefined): void {
  let list = keys.get(collection);
  if (list === undefined) keys.set(collection, (list = []));
  if (key !== undefined) list.push(key);
}

function ignore(): void {
  // The writer that owns the promise reports its outcome; a waiter only needs it settled.
}
