/** What a commit touches: keys it writes or read, and collections it writes or read whole. */
export interface Footprint {
  /**
   * Collection and key, pair after pair (`[collection, key, collection, key, …]`: no object or Map per
   * write). A pair whose key is undefined touches its collection only: a fresh generated key nobody can
   * wait for, still counted as a write to the collection.
   */
  readonly keys: readonly (string | undefined)[];
  /** Collections dropped, or read as a whole (keys, count). */
  readonly collections: readonly string[];
}

const NO_COLLECTIONS: readonly string[] = [];

/** The footprint of one write to `key` of `collection` (undefined: a generated key). */
export function keyFootprint(collection: string, key: string | undefined): Footprint {
  return { keys: [collection, key], collections: NO_COLLECTIONS };
}

/** The footprint of reading or writing `collections` whole. */
export function collectionsFootprint(collections: readonly string[]): Footprint {
  return { keys: [], collections };
}

interface CollectionPending {
  /** The last in-flight write of each key. */
  readonly keys: Map<string, Promise<unknown>>;
  /** In-flight writes to the collection, each counted once per pair or collection of its footprint here. */
  count: number;
  /** An in-flight write to the collection as a whole (DROP). */
  whole: Promise<unknown> | undefined;
  /** Settles at the next write here that ends, for a wait on the whole collection (made only when one waits). */
  nextEnd: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
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
    const { keys } = footprint;
    for (let i = 0; i < keys.length; i += 2) {
      const pending = this.byCollection.get(keys[i] as string);
      if (pending === undefined) continue;
      if (pending.whole !== undefined) return pending.whole;
      const key = keys[i + 1];
      const blocker = key === undefined ? undefined : pending.keys.get(key);
      if (blocker !== undefined) return blocker;
    }
    for (const collection of footprint.collections) {
      const pending = this.byCollection.get(collection);
      if (pending !== undefined) return nextEnd(pending);
    }
    return undefined;
  }

  /** Records an in-flight write of `footprint`, settling with `done`, until `remove`. */
  add(footprint: Footprint, done: Promise<unknown>): void {
    const { keys } = footprint;
    for (let i = 0; i < keys.length; i += 2) {
      const pending = this.ensure(keys[i] as string);
      pending.count++;
      const key = keys[i + 1];
      if (key !== undefined) pending.keys.set(key, done);
    }
    for (const collection of footprint.collections) {
      const pending = this.ensure(collection);
      pending.count++;
      pending.whole = done;
    }
  }

  /** The write `add` recorded is applied or failed: writes waiting on it may plan now. */
  remove(footprint: Footprint, done: Promise<unknown>): void {
    const { keys } = footprint;
    for (let i = 0; i < keys.length; i += 2) {
      const collection = keys[i] as string;
      const pending = this.byCollection.get(collection);
      if (pending === undefined) continue;
      const key = keys[i + 1];
      if (key !== undefined && pending.keys.get(key) === done) pending.keys.delete(key);
      this.release(collection, pending);
    }
    for (const collection of footprint.collections) {
      const pending = this.byCollection.get(collection);
      if (pending === undefined) continue;
      if (pending.whole === done) pending.whole = undefined;
      this.release(collection, pending);
    }
  }

  private release(collection: string, pending: CollectionPending): void {
    pending.count--;
    const ended = pending.nextEnd;
    if (ended !== undefined) {
      pending.nextEnd = undefined;
      ended.resolve();
    }
    if (pending.count === 0) this.byCollection.delete(collection);
  }

  private ensure(collection: string): CollectionPending {
    let pending = this.byCollection.get(collection);
    if (pending === undefined) {
      pending = { keys: new Map(), count: 0, whole: undefined, nextEnd: undefined };
      this.byCollection.set(collection, pending);
    }
    return pending;
  }
}

/** A promise that settles when the next in-flight write to the collection ends. */
function nextEnd(pending: CollectionPending): Promise<void> {
  if (pending.nextEnd === undefined) {
    let resolve!: () => void;
    const promise = new Promise<void>((settle) => (resolve = settle));
    pending.nextEnd = { promise, resolve };
  }
  return pending.nextEnd.promise;
}

function ignore(): void {
  // The writer that owns the promise reports its outcome; a waiter only needs it settled.
}
