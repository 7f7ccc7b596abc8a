import { SecondaryIndex } from '../secondary-index.js';
import type { QuerySource } from '../planner.js';
import type { StoredDoc } from '../types.js';

/**
 * An in-memory QuerySource for tests, with optional secondary indexes and
 * counters showing how the executor touched the data.
 */
export class MemorySource implements QuerySource {
  private readonly collections = new Map<string, Map<string, StoredDoc>>();
  private readonly indexes = new Map<string, Map<string, SecondaryIndex>>();
  scans = 0;
  gets = 0;

  constructor(data: Readonly<Record<string, readonly StoredDoc[]>> = {}) {
    for (const [name, docs] of Object.entries(data)) {
      this.collections.set(name, new Map(docs.map((doc) => [doc._key, doc])));
    }
  }

  /** Builds an index over the current documents of `collection`. */
  addIndex(collection: string, field: string): SecondaryIndex {
    const index = new SecondaryIndex(field);
    for (const doc of this.collections.get(collection)?.values() ?? []) index.add(doc._key, doc);
    this.attachIndex(collection, index);
    return index;
  }

  /** Uses an index maintained elsewhere (e.g. one built incrementally). */
  attachIndex(collection: string, index: SecondaryIndex): void {
    const forCollection = this.indexes.get(collection) ?? new Map<string, SecondaryIndex>();
    forCollection.set(index.field.path, index);
    this.indexes.set(collection, forCollection);
  }

  get(collection: string, key: string): StoredDoc | undefined {
    this.gets++;
    return this.collections.get(collection)?.get(key);
  }

  scan(collection: string): Iterable<StoredDoc> {
    this.scans++;
    return this.collections.get(collection)?.values() ?? [];
  }

  index(collection: string, field: string): SecondaryIndex | undefined {
    return this.indexes.get(collection)?.get(field);
  }
}
