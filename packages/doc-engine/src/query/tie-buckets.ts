import { TieList } from './tie-list.js';

/** A value held by one key: the key and its `_seq`, without a list. */
interface Single {
  readonly key: string;
  readonly seq: number;
}

/**
 * value → the keys holding it, each with its `_seq`, in tie order (see TieList). A value held by a
 * single key keeps just that pair: on a unique field that saves a list per document.
 */
export class TieBuckets<V> {
  private readonly buckets = new Map<V, Single | TieList>();

  get distinctCount(): number {
    return this.buckets.size;
  }

  has(value: V): boolean {
    return this.buckets.has(value);
  }

  /** 'new-value' when `value` had no keys before, 'added' when it had others, 'present' when the pair was there. */
  add(value: V, key: string, seq: number): 'new-value' | 'added' | 'present' {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) {
      this.buckets.set(value, { key, seq });
      return 'new-value';
    }
    if (bucket instanceof TieList) return bucket.add(seq, key) ? 'added' : 'present';
    if (bucket.key === key && bucket.seq === seq) return 'present';
    const list = new TieList();
    list.add(bucket.seq, bucket.key);
    list.add(seq, key);
    this.buckets.set(value, list);
    return 'added';
  }

  /** 'emptied' when `value` has no keys left, 'removed' when it still has some, 'absent' when the pair was not there. */
  remove(value: V, key: string, seq: number): 'emptied' | 'removed' | 'absent' {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return 'absent';
    if (!(bucket instanceof TieList)) {
      if (bucket.key !== key || bucket.seq !== seq) return 'absent';
      this.buckets.delete(value);
      return 'emptied';
    }
    if (!bucket.remove(seq, key)) return 'absent';
    if (bucket.size === 0) {
      this.buckets.delete(value);
      return 'emptied';
    }
    return 'removed';
  }

  /** The keys holding `value`, newest `_seq` first (then `_key` ascending), or oldest first with `oldestFirst`. */
  keys(value: V, oldestFirst = false): Iterable<string> {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return [];
    return bucket instanceof TieList ? bucket.keys(oldestFirst) : [bucket.key];
  }

  count(value: V): number {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return 0;
    return bucket instanceof TieList ? bucket.size : 1;
  }

  values(): Iterable<V> {
    return this.buckets.keys();
  }
}
