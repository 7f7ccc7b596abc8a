const NO_KEYS: readonly string[] = [];

/**
 * value → set of keys. A value held by a single key stores the bare string
 * instead of a Set: on a unique field that saves a Set per document, which at
 * a million documents is most of the index's memory and build time.
 */
export class KeyBuckets<V> {
  private readonly buckets = new Map<V, string | Set<string>>();

  get distinctCount(): number {
    return this.buckets.size;
  }

  has(value: V): boolean {
    return this.buckets.has(value);
  }

  /** 'new-value' when `value` had no keys before, 'added' when it had others, 'present' when the pair was there. */
  add(value: V, key: string): 'new-value' | 'added' | 'present' {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) {
      this.buckets.set(value, key);
      return 'new-value';
    }
    if (typeof bucket === 'string') {
      if (bucket === key) return 'present';
      this.buckets.set(value, new Set([bucket, key]));
      return 'added';
    }
    if (bucket.has(key)) return 'present';
    bucket.add(key);
    return 'added';
  }

  /** 'emptied' when `value` has no keys left, 'removed' when it still has some, 'absent' when the pair was not there. */
  remove(value: V, key: string): 'emptied' | 'removed' | 'absent' {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return 'absent';
    if (typeof bucket === 'string') {
      if (bucket !== key) return 'absent';
      this.buckets.delete(value);
      return 'emptied';
    }
    if (!bucket.delete(key)) return 'absent';
    // Back to the bare-string form (the loop runs once).
    if (bucket.size === 1) for (const remaining of bucket) this.buckets.set(value, remaining);
    return 'removed';
  }

  keys(value: V): Iterable<string> {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return NO_KEYS;
    return typeof bucket === 'string' ? [bucket] : bucket;
  }

  count(value: V): number {
    const bucket = this.buckets.get(value);
    if (bucket === undefined) return 0;
    return typeof bucket === 'string' ? 1 : bucket.size;
  }

  values(): Iterable<V> {
    return this.buckets.keys();
  }
}
