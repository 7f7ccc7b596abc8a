import { TieList } from './tie-list.js';

/**
 * A key with its `_seq`. The index passes the stored document itself when it carries both (as the
 * engine's do), so a value held by one key costs no allocation: on a unique field that is every value.
 */
export interface TieEntry {
  readonly _key: string;
  readonly _seq: number;
}

/** value → the keys holding it, each with its `_seq`, in tie order (see TieList); a lone key stays an entry. */
export class TieBuckets<V> {
  private readonly buckets = new Map<V, TieEntry | TieList>();

  get distinctCount(): number {
    return this.buckets.size;
  }

  has(value: V): boolean {
    return this.buckets.has(value);
  }

  /** 'new-value' when `value` had no keys before, 'added' when it had others, 'present' when the pair was there. */
  add(value: V, entry: TieEntry): 'new-value' | 'added' | 'present' {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) {
      this.buckets.set(value, entry);
      return 'new-value';
    }
    const { _key: key, _seq: seq } = entry;
    if (bucket instanceof TieList) return bucket.add(seq, key) ? 'added' : 'present';
    if (bucket._key === key && bucket._seq === seq) return 'present';
    const list = new TieList();
    list.add(bucket._seq, bucket._key);
    list.add(seq, key);
    this.buckets.set(value, list);
    return 'added';
  }

  /** 'emptied' when `value` has no keys left, 'removed' when it still has some, 'absent' when the pair was not there. */
  remove(value: V, key: string, seq: number): 'emptied' | 'removed' | 'absent' {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return 'absent';
    if (!(bucket instanceof TieList)) {
      if (bucket._key !== key || bucket._seq !== seq) return 'absent';
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

  /** The keys holding `value`, in no particular order (the cheapest to read). */
  keys(value: V): Iterable<string> {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return [];
    return bucket instanceof TieList ? bucket.unordered() : [bucket._key];
  }

  /** The keys holding `value`, newest `_seq` first (then `_key` ascending), or oldest first with `oldestFirst`. */
  keysBySeq(value: V, oldestFirst: boolean): Iterable<string> {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return [];
    return bucket instanceof TieList ? bucket.keys(oldestFirst) : [bucket._key];
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
