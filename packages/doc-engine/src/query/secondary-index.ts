import { groupRows, type IndexRows } from './index-rows.js';
import { KeyBuckets } from './key-buckets.js';
import { TieBuckets, type TieEntry } from './tie-buckets.js';
import { SortedValues, sortNumbers, sortStrings, type Bound } from './sorted-values.js';
import { compileReader, foldCase, isPlainObject, toFieldPath, type FieldReader } from './values.js';
import type { FieldPath, JsonValue, SortOrder } from './types.js';

type Scalar = number | string | boolean | null;

export interface RangeBounds {
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
}

/** The document's `_seq`, which orders keys within a value (0 for a document without one, as in unit tests). */
function seqOf(doc: unknown): number {
  const seq = isPlainObject(doc) ? doc._seq : undefined;
  return typeof seq === 'number' ? seq : 0;
}

/** `key` with the document's `_seq`: the (immutable) stored document itself when it carries both. */
function entryOf(key: string, doc: unknown): TieEntry {
  if (isPlainObject(doc) && doc._key === key && typeof doc._seq === 'number') return doc as unknown as TieEntry;
  return { _key: key, _seq: seqOf(doc) };
}

/** The tighter of an exclusive and an inclusive bound on the same side. */
function tighter<T extends number | string>(
  exclusive: T | undefined,
  inclusive: T | undefined,
  side: 'lower' | 'upper',
): Bound<T> | undefined {
  if (exclusive === undefined) return inclusive === undefined ? undefined : { value: inclusive, inclusive: true };
  if (inclusive === undefined) return { value: exclusive, inclusive: false };
  const exclusiveWins = side === 'lower' ? exclusive >= inclusive : exclusive <= inclusive;
  return exclusiveWins ? { value: exclusive, inclusive: false } : { value: inclusive, inclusive: true };
}

interface DomainBounds<T extends number | string> {
  lower: Bound<T> | undefined;
  upper: Bound<T> | undefined;
}

/**
 * Splits range bounds into the one domain they address (numbers or strings).
 * Undefined when the bounds mix types: no value can satisfy them.
 */
type Domain = { type: 'number'; bounds: DomainBounds<number> } | { type: 'string'; bounds: DomainBounds<string> };

function domainBounds(bounds: RangeBounds): Domain | undefined {
  const given = [bounds.gt, bounds.gte, bounds.lt, bounds.lte].filter((bound) => bound !== undefined);
  const [first] = given;
  if (first === undefined) return undefined;
  if (given.some((bound) => typeof bound !== typeof first)) return undefined;
  if (typeof first === 'number') {
    const b = bounds as { gt?: number; gte?: number; lt?: number; lte?: number };
    return { type: 'number', bounds: { lower: tighter(b.gt, b.gte, 'lower'), upper: tighter(b.lt, b.lte, 'upper') } };
  }
  const b = bounds as { gt?: string; gte?: string; lt?: string; lte?: string };
  return { type: 'string', bounds: { lower: tighter(b.gt, b.gte, 'lower'), upper: tighter(b.lt, b.lte, 'upper') } };
}

/**
 * A secondary index on one field (dot path allowed) of one collection:
 * field value → keys, ordered for range queries and sorting.
 *
 * Design: equality goes through a Map (microseconds at any size) whose
 * buckets keep their keys in the tie order of a query sort (newest `_seq`
 * first, see TieList), so a sort walk reads a group only as far as it needs;
 * order comes from two SortedValues lists of the DISTINCT numbers and strings
 * (numbers before strings), a chunked sorted array that a bulk build fills
 * with one sort. Booleans and null are matched by equality only. Documents whose value
 * is an array or object are kept in `unindexable`, and documents without the
 * field in `missing`, so the index accounts for every document: equality on
 * an array/object value falls back to checking the unindexable ones, and a
 * sort walk can produce the whole collection in order.
 *
 * Contract: the caller adds every document of the collection exactly once,
 * and passes to remove() the document as it was when added. Do not mutate
 * the index while iterating one of its generators.
 */
export class SecondaryIndex {
  readonly field: FieldPath;
  private readonly buckets = new TieBuckets<Scalar>();
  private readonly numbers = new SortedValues<number>(sortNumbers, (value) => this.buckets.has(value));
  private readonly strings = new SortedValues<string>(sortStrings, (value) => this.buckets.has(value));
  private scalarKeys = 0;
  private numberKeys = 0;
  private stringKeys = 0;
  private readonly unindexable = new Set<string>();
  private readonly missing = new Set<string>();
  /** Lower-cased string → the distinct stored strings that fold to it; built on the first case-insensitive lookup. */
  private folded: KeyBuckets<string> | undefined;

  private readonly read: FieldReader;

  constructor(field: string) {
    this.field = toFieldPath(field);
    this.read = compileReader(this.field.segments);
  }

  /** Number of documents indexed. */
  get size(): number {
    return this.scalarKeys + this.unindexable.size + this.missing.size;
  }

  add(key: string, doc: unknown): void {
    const value = this.read(doc);
    if (value === undefined) {
      this.missing.add(key);
    } else if (!isScalar(value)) {
      this.unindexable.add(key);
    } else {
      const outcome = this.buckets.add(value, entryOf(key, doc));
      if (outcome === 'present') return;
      this.countKey(value, 1);
      if (outcome === 'added') return;
      if (typeof value === 'number') {
        this.numbers.add(value);
      } else if (typeof value === 'string') {
        this.strings.add(value);
        this.folded?.add(foldCase(value), value);
      }
    }
  }

  /**
   * Adds every row of `rows` to this index, which must be empty: the same index as adding each row's document,
   * built from values and `_seq`s in one linear pass (see groupRows); a value's keys are decoded on its first read.
   */
  loadRows(rows: IndexRows): void {
    if (this.size > 0) throw new Error(`the index on "${this.field.path}" must be empty to load rows`);
    const { groups, missing, unindexable } = groupRows(rows);
    for (const key of missing) this.missing.add(key);
    for (const key of unindexable) this.unindexable.add(key);
    for (const { value, group } of groups) {
      this.buckets.load(value, group);
      this.scalarKeys += group.size;
      if (typeof value === 'number') {
        this.numberKeys += group.size;
        this.numbers.add(value);
      } else if (typeof value === 'string') {
        this.stringKeys += group.size;
        this.strings.add(value);
      }
    }
  }

  remove(key: string, doc: unknown): void {
    const value = this.read(doc);
    if (value === undefined) {
      this.missing.delete(key);
    } else if (!isScalar(value)) {
      this.unindexable.delete(key);
    } else {
      const outcome = this.buckets.remove(value, key, seqOf(doc));
      if (outcome === 'absent') return;
      this.countKey(value, -1);
      if (outcome === 'removed') return;
      if (typeof value === 'number') {
        this.numbers.delete(value);
      } else if (typeof value === 'string') {
        this.strings.delete(value);
        this.folded?.remove(foldCase(value), value);
      }
    }
  }

  private countKey(value: Scalar, delta: number): void {
    this.scalarKeys += delta;
    if (typeof value === 'number') this.numberKeys += delta;
    else if (typeof value === 'string') this.stringKeys += delta;
  }

  update(key: string, oldDoc: unknown, newDoc: unknown): void {
    const oldValue = this.read(oldDoc);
    const newValue = this.read(newDoc);
    // A bucket orders its keys by `_seq`, which the engine keeps across overwrites but a caller may change.
    if (oldValue === newValue && (!isScalar(oldValue) || seqOf(oldDoc) === seqOf(newDoc))) {
      if (isScalar(newValue)) this.buckets.replace(newValue, entryOf(key, newDoc));
      return;
    }
    this.remove(key, oldDoc);
    this.add(key, newDoc);
  }

  /**
   * Keys whose value equals `value` (strings case-sensitively, like `$eq`).
   * For an array/object `value` it returns every unindexable key: a superset
   * the caller must re-check.
   */
  lookup(value: JsonValue): Iterable<string> {
    return isScalar(value) ? this.buckets.keys(value) : this.unindexable;
  }

  /**
   * The keys lookup(value) yields, ordered by `_seq` as a sort on `_seq` in
   * `order` is (ties by `_key`); undefined for an array/object `value`.
   */
  lookupBySeq(value: JsonValue, order: SortOrder): Iterable<string> | undefined {
    return isScalar(value) ? this.buckets.keysBySeq(value, order === 'asc') : undefined;
  }

  /** Number of keys lookup(value) yields. */
  countLookup(value: JsonValue): number {
    return isScalar(value) ? this.buckets.count(value) : this.unindexable.size;
  }

  /**
   * Keys whose value is one of `values` with `$in` semantics: strings match
   * case-insensitively. Array/object members add the unindexable keys (a
   * superset to re-check). Each key is yielded once.
   */
  *lookupIn(values: readonly JsonValue[]): Generator<string> {
    for (const bucketValue of this.inBuckets(values)) yield* this.buckets.keys(bucketValue);
    if (values.some((value) => !isScalar(value))) yield* this.unindexable;
  }

  /** Number of keys lookupIn(values) yields. */
  countLookupIn(values: readonly JsonValue[]): number {
    let total = 0;
    for (const bucketValue of this.inBuckets(values)) total += this.buckets.count(bucketValue);
    if (values.some((value) => !isScalar(value))) total += this.unindexable.size;
    return total;
  }

  /** The distinct stored values `$in: values` selects. */
  private inBuckets(values: readonly JsonValue[]): Set<Scalar> {
    const selected = new Set<Scalar>();
    const folded = values.some((value) => typeof value === 'string') ? this.foldedStrings() : undefined;
    for (const value of values) {
      if (typeof value === 'string') {
        for (const stored of (folded as KeyBuckets<string>).keys(foldCase(value))) selected.add(stored);
      } else if (isScalar(value)) {
        selected.add(value);
      }
    }
    return selected;
  }

  private foldedStrings(): KeyBuckets<string> {
    if (this.folded === undefined) {
      const folded = new KeyBuckets<string>();
      for (const value of this.buckets.values()) if (typeof value === 'string') folded.add(foldCase(value), value);
      this.folded = folded;
    }
    return this.folded;
  }

  /**
   * Keys whose value lies within the bounds, in ascending value order. Bounds
   * must all be numbers or all strings (as with the query operators, a value
   * of another type never matches); mixed bounds select nothing.
   */
  *range(bounds: RangeBounds): Generator<string> {
    const domain = domainBounds(bounds);
    if (domain === undefined) return;
    for (const value of this.valuesWithin(domain, 'asc')) yield* this.buckets.keys(value);
  }

  /** The distinct stored values within one domain's bounds, in `order`. */
  private valuesWithin(domain: Domain, order: SortOrder): Iterable<Scalar> {
    if (domain.type === 'number') {
      const { lower, upper } = domain.bounds;
      return order === 'asc' ? this.numbers.ascending(lower, upper) : this.numbers.descending(lower, upper);
    }
    const { lower, upper } = domain.bounds;
    return order === 'asc' ? this.strings.ascending(lower, upper) : this.strings.descending(lower, upper);
  }

  /** Estimated number of keys range(bounds) yields: distinct values in range × average keys per value. */
  estimateRange(bounds: RangeBounds): number {
    const domain = domainBounds(bounds);
    if (domain === undefined) return 0;
    const distinct =
      domain.type === 'number'
        ? this.numbers.countBetween(domain.bounds.lower, domain.bounds.upper)
        : this.strings.countBetween(domain.bounds.lower, domain.bounds.upper);
    if (distinct === 0) return 0;
    const all = domain.type === 'number' ? this.numbers.countBetween(undefined, undefined) : this.strings.countBetween(undefined, undefined);
    const keys = domain.type === 'number' ? this.numberKeys : this.stringKeys;
    return Math.ceil((distinct * keys) / all);
  }

  /**
   * Every key in the order a query sort on this field produces, as groups of
   * keys that tie on the field: ascending = numbers, strings, false, true;
   * descending = the reverse; then, in both directions, one last group with
   * the keys whose value has no order (null, arrays, objects, missing).
   */
  *groups(order: SortOrder): Generator<Iterable<string>> {
    for (const group of this.orderedGroups(order, undefined, false)) yield group.keys;
  }

  /**
   * groups(order), each group saying whether its keys come in the tie order
   * of a query sort (newest `_seq` first, then `_key`): with `tieOrder` all do
   * but the last, unordered one; without, none do (a reader that ranks each
   * group itself gets the cheaper, oldest-first-ish storage order). With
   * `bounds`, only the groups of values within them (in their one domain,
   * numbers or strings), so a walk starts at the bound and ends with the range.
   */
  *orderedGroups(order: SortOrder, bounds?: RangeBounds, tieOrder = true): Generator<{ keys: Iterable<string>; tieOrdered: boolean }> {
    const values: Iterable<Scalar>[] = [];
    if (bounds !== undefined) {
      const domain = domainBounds(bounds);
      if (domain === undefined) return;
      values.push(this.valuesWithin(domain, order));
    } else if (order === 'asc') {
      values.push(this.numbers.ascending(), this.strings.ascending(), [false, true]);
    } else {
      values.push([true, false], this.strings.descending(), this.numbers.descending());
    }
    for (const run of values) {
      for (const value of run) {
        if (!this.buckets.has(value)) continue;
        yield tieOrder ? { keys: this.buckets.keysBySeq(value, false), tieOrdered: true } : { keys: this.buckets.keys(value), tieOrdered: false };
      }
    }
    if (bounds !== undefined) return;
    const unordered = [...this.buckets.keys(null), ...this.unindexable, ...this.missing];
    if (unordered.length > 0) yield { keys: unordered, tieOrdered: false };
  }

  /** Every key, ordered by this field as a query sort would (ties in no particular order). */
  *keys(order: SortOrder): Generator<string> {
    for (const group of this.groups(order)) yield* group;
  }
}
