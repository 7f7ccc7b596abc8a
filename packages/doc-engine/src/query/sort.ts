import { compareOrdered, compileReader, RANK_UNORDERED, sortRank } from './values.js';
import type { SortSpec, StoredDoc } from './types.js';

export type Comparator<T> = (a: T, b: T) => number;

/**
 * Builds the result order for `specs`, applied to documents (joined aliases
 * included, so `alias.field` works):
 * - per spec: numbers < strings < booleans (false < true) ascending, reversed
 *   for 'desc'; null, arrays, objects and missing values last in BOTH directions;
 * - specs in priority order;
 * - tie rule: remaining ties go to the higher `_seq` first (newest first), then
 *   to `_key`, so the order is total and the same with or without indexes.
 */
export function compileSort(specs: readonly SortSpec[]): Comparator<StoredDoc> {
  const [first] = specs;
  if (specs.length === 1 && first?.field.path === '_seq') {
    // The default order: `_seq` is always a number, so skip the generic path.
    const direction = first.order === 'asc' ? 1 : -1;
    return (a, b) => (a._seq !== b._seq ? (a._seq < b._seq ? -direction : direction) : compareTieBreak(a, b));
  }
  const keys = specs.map(({ field, order }) => ({ read: compileReader(field.segments), direction: order === 'asc' ? 1 : -1 }));
  return (a, b) => {
    for (const { read, direction } of keys) {
      const valueA = read(a);
      const valueB = read(b);
      if (typeof valueA === 'number' && typeof valueB === 'number') {
        if (valueA !== valueB) return valueA < valueB ? -direction : direction;
        continue;
      }
      const unorderedA = sortRank(valueA) === RANK_UNORDERED;
      const unorderedB = sortRank(valueB) === RANK_UNORDERED;
      if (unorderedA || unorderedB) {
        if (unorderedA && unorderedB) continue;
        return unorderedA ? 1 : -1;
      }
      const result = compareOrdered(valueA, valueB);
      if (result !== 0) return result * direction;
    }
    return compareTieBreak(a, b);
  };
}

/** Newest (`_seq` highest) first, then `_key` ascending. */
export function compareTieBreak(a: StoredDoc, b: StoredDoc): number {
  if (a._seq !== b._seq) return a._seq > b._seq ? -1 : 1;
  return a._key < b._key ? -1 : a._key > b._key ? 1 : 0;
}

function siftDown<T>(heap: T[], index: number, compare: Comparator<T>): void {
  const size = heap.length;
  const item = heap[index] as T;
  let i = index;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    let worst = left;
    if (right < size && compare(heap[right] as T, heap[left] as T) > 0) worst = right;
    if (compare(heap[worst] as T, item) <= 0) break;
    heap[i] = heap[worst] as T;
    i = worst;
  }
  heap[i] = item;
}

function siftUp<T>(heap: T[], index: number, compare: Comparator<T>): void {
  const item = heap[index] as T;
  let i = index;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (compare(heap[parent] as T, item) >= 0) break;
    heap[i] = heap[parent] as T;
    i = parent;
  }
  heap[i] = item;
}

/**
 * Collects the first `limit` items of `items` in `compare` order without
 * sorting all of them: a bounded heap holding the best `limit` seen so far,
 * with the worst of those on top. O(n log limit) time, O(limit) memory.
 */
export class TopN<T> {
  private readonly heap: T[] = [];
  constructor(
    private readonly limit: number,
    private readonly compare: Comparator<T>,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  push(item: T): void {
    const { heap, compare } = this;
    if (heap.length < this.limit) {
      heap.push(item);
      siftUp(heap, heap.length - 1, compare);
    } else if (heap.length > 0 && compare(item, heap[0] as T) < 0) {
      heap[0] = item;
      siftDown(heap, 0, compare);
    }
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.heap].sort(this.compare);
  }
}

export function selectTop<T>(items: Iterable<T>, limit: number, compare: Comparator<T>): T[] {
  const top = new TopN(limit, compare);
  for (const item of items) top.push(item);
  return top.sorted();
}
