import { RowGroup } from './index-rows.js';
import { storedBefore, TieList } from './tie-list.js';

/**
 * A key with its `_seq`. The index passes the stored document itself when it carries both (as the
 * engine's do), so a value held by one key costs no allocation: on a unique field that is every value.
 */
export interface TieEntry {
  readonly _key: string;
  readonly _seq: number;
}

/**
 * Most keys a value holds as a plain array of entries, in TieList storage order, before it gets a TieList.
 * Most values of a field with many distinct values (a score, a price, a time) hold a few keys: an array of the
 * entries is one allocation where a TieList is five, which made adding to such an index mostly GC.
 */
export const SMALL_BUCKET_MAX = 8;

type Bucket = TieEntry | readonly TieEntry[] | TieList;

function isEntry(bucket: Bucket): bucket is TieEntry {
  return !(bucket instanceof TieList) && !Array.isArray(bucket);
}

function holds(entry: TieEntry, seq: number, key: string): boolean {
  return entry._seq === seq && entry._key === key;
}

/**
 * value → the keys holding it, each with its `_seq`, in tie order (see TieList): a lone key stays an entry,
 * a few share an array of entries (`SMALL_BUCKET_MAX`), more get a TieList.
 */
export class TieBuckets<V> {
  /** A bulk build's RowGroup becomes an entry or TieList when its value is first read (see `bucket`). */
  private readonly buckets = new Map<V, Bucket | RowGroup>();

  get distinctCount(): number {
    return this.buckets.size;
  }

  has(value: V): boolean {
    return this.buckets.has(value);
  }

  /** 'new-value' when `value` had no keys before, 'added' when it had others, 'present' when the pair was there. */
  add(value: V, entry: TieEntry): 'new-value' | 'added' | 'present' {
    const bucket = this.bucket(value);
    if (bucket === undefined) {
      this.buckets.set(value, entry);
      return 'new-value';
    }
    const { _key: key, _seq: seq } = entry;
    if (bucket instanceof TieList) return bucket.add(seq, key) ? 'added' : 'present';
    const entries: readonly TieEntry[] = isEntry(bucket) ? [bucket] : bucket;
    const at = smallPosition(entries, seq, key);
    if (at < entries.length && holds(entries[at] as TieEntry, seq, key)) return 'present';
    if (entries.length < SMALL_BUCKET_MAX) {
      this.buckets.set(value, withEntry(entries, at, entry));
      return 'added';
    }
    const list = tieListOf(entries);
    list.add(seq, key);
    this.buckets.set(value, list);
    return 'added';
  }

  /** Gives `value`, which must hold no keys yet, the keys of a bulk build's rows: a bulk build's alternative to adding them one by one. */
  load(value: V, group: RowGroup): void {
    if (this.buckets.has(value)) throw new Error('TieBuckets.load: the value already holds keys');
    if (group.size > 0) this.buckets.set(value, group);
  }

  /** The bucket of `value`, a loaded RowGroup turned into what adds would have made. */
  private bucket(value: V): Bucket | undefined {
    const bucket = this.buckets.get(value);
    if (!(bucket instanceof RowGroup)) return bucket;
    const { seqs, keys } = bucket.pairs();
    const made = keys.length === 1 ? { _key: keys[0] as string, _seq: seqs[0] as number } : TieList.fromSorted(seqs, keys);
    this.buckets.set(value, made);
    return made;
  }

  /**
   * Puts `entry` in place of the one holding the same key and `_seq` under `value` (an update that left the
   * value alone), so the bucket does not keep the document it replaces alive. Does nothing if there is none.
   */
  replace(value: V, entry: TieEntry): void {
    const bucket = this.buckets.get(value);
    if (bucket === undefined || bucket instanceof TieList || bucket instanceof RowGroup) return;
    const { _key: key, _seq: seq } = entry;
    if (isEntry(bucket)) {
      if (holds(bucket, seq, key)) this.buckets.set(value, entry);
      return;
    }
    const at = smallPosition(bucket, seq, key);
    if (at < bucket.length && holds(bucket[at] as TieEntry, seq, key)) (bucket as TieEntry[])[at] = entry;
  }

  /** 'emptied' when `value` has no keys left, 'removed' when it still has some, 'absent' when the pair was not there. */
  remove(value: V, key: string, seq: number): 'emptied' | 'removed' | 'absent' {
    const bucket = this.bucket(value);
    if (bucket === undefined) return 'absent';
    if (bucket instanceof TieList) {
      if (!bucket.remove(seq, key)) return 'absent';
      if (bucket.size > 0) return 'removed';
    } else if (isEntry(bucket)) {
      if (!holds(bucket, seq, key)) return 'absent';
    } else {
      const at = smallPosition(bucket, seq, key);
      if (at === bucket.length || !holds(bucket[at] as TieEntry, seq, key)) return 'absent';
      this.buckets.set(value, bucket.length === 2 ? (bucket[1 - at] as TieEntry) : withoutEntry(bucket, at));
      return 'removed';
    }
    this.buckets.delete(value);
    return 'emptied';
  }

  /** The keys holding `value`, in no particular order (the cheapest to read). */
  keys(value: V): Iterable<string> {
    const bucket = this.bucket(value);
    if (bucket === undefined) return [];
    if (bucket instanceof TieList) return bucket.unordered();
    return isEntry(bucket) ? [bucket._key] : bucket.map((entry) => entry._key);
  }

  /** The keys holding `value`, newest `_seq` first (then `_key` ascending), or oldest first with `oldestFirst`. */
  keysBySeq(value: V, oldestFirst: boolean): Iterable<string> {
    const bucket = this.bucket(value);
    if (bucket === undefined) return [];
    if (bucket instanceof TieList) return bucket.keys(oldestFirst);
    if (isEntry(bucket)) return [bucket._key];
    // Newest first is the reverse of storage order; oldest first (rare: a sort on `_seq` itself) reverses
    // each run of equal `_seq`s, which TieList already does.
    return oldestFirst ? tieListOf(bucket).keys(true) : bucket.map((_, i) => (bucket[bucket.length - 1 - i] as TieEntry)._key);
  }

  count(value: V): number {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return 0;
    if (bucket instanceof TieList || bucket instanceof RowGroup) return bucket.size;
    return Array.isArray(bucket) ? bucket.length : 1;
  }

  values(): Iterable<V> {
    return this.buckets.keys();
  }
}

/** Index of the first entry of `entries` (in storage order) not before the pair. */
function smallPosition(entries: readonly TieEntry[], seq: number, key: string): number {
  let at = entries.length;
  // A new document's `_seq` is the highest: it goes last, so look from the end.
  while (at > 0 && !storedBefore((entries[at - 1] as TieEntry)._seq, (entries[at - 1] as TieEntry)._key, seq, key)) at--;
  return at;
}

/** `entries` with `entry` inserted at `at`, in an array of exactly the size it needs (a bucket is kept, slack would be too). */
function withEntry(entries: readonly TieEntry[], at: number, entry: TieEntry): TieEntry[] {
  const grown = new Array<TieEntry>(entries.length + 1);
  for (let i = 0; i < at; i++) grown[i] = entries[i] as TieEntry;
  grown[at] = entry;
  for (let i = at; i < entries.length; i++) grown[i + 1] = entries[i] as TieEntry;
  return grown;
}

/** `entries` without the one at `at`. */
function withoutEntry(entries: readonly TieEntry[], at: number): TieEntry[] {
  const kept = new Array<TieEntry>(entries.length - 1);
  for (let i = 0, to = 0; i < entries.length; i++) if (i !== at) kept[to++] = entries[i] as TieEntry;
  return kept;
}

/** A TieList of `entries`, which are in storage order. */
function tieListOf(entries: readonly TieEntry[]): TieList {
  return TieList.fromSorted(
    entries.map((entry) => entry._seq),
    entries.map((entry) => entry._key),
  );
}
