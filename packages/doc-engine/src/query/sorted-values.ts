/** Chunk size after a bulk load; a chunk splits when it grows past twice this. */
const CHUNK_SIZE = 512;

export interface Bound<T> {
  readonly value: T;
  readonly inclusive: boolean;
}

interface Position {
  chunk: number;
  offset: number;
}

/**
 * An ordered set of distinct numbers or strings, kept as a list of sorted
 * chunks (the "sorted containers" layout): insert/delete cost a binary search
 * plus a splice inside one chunk of at most 1024 values, and iteration from any
 * bound is sequential over plain arrays.
 *
 * New values first go to an unsorted `pending` buffer. The first ordered read
 * after a batch of inserts sorts the buffer once and merges it in (linearly
 * when it is large), so building an index over a million documents costs one
 * sort instead of a million inserts. `isLive` lets the flush drop pending
 * values that were removed again before anyone read them.
 */
export class SortedValues<T extends number | string> {
  private chunks: T[][] = [];
  private maxes: T[] = [];
  private pending: T[] = [];
  /** Whether a delete() may have hit a pending value, so the flush must check liveness. */
  private pendingDeletes = false;
  private stored = 0;

  constructor(
    private readonly sortValues: (values: T[]) => T[],
    private readonly isLive: (value: T) => boolean,
  ) {}

  /** Adds a value that is not in the set. */
  add(value: T): void {
    this.pending.push(value);
  }

  /** Removes a value; a no-op when it is only pending (the flush drops it via isLive). */
  delete(value: T): void {
    const { chunks, maxes } = this;
    if (this.pending.length > 0) this.pendingDeletes = true;
    const index = this.chunkFor(value);
    if (index === chunks.length) return;
    const chunk = chunks[index] as T[];
    const offset = lowerBoundIn(chunk, value);
    if (chunk[offset] !== value) return;
    chunk.splice(offset, 1);
    this.stored--;
    if (chunk.length === 0) {
      chunks.splice(index, 1);
      maxes.splice(index, 1);
    } else {
      maxes[index] = chunk[chunk.length - 1] as T;
    }
  }

  /** Number of distinct values v with lower < v < upper (bounds honour `inclusive`). */
  countBetween(lower: Bound<T> | undefined, upper: Bound<T> | undefined): number {
    this.flush();
    const start = lower === undefined ? 0 : this.rank(this.boundary(lower.value, !lower.inclusive));
    const end = upper === undefined ? this.stored : this.rank(this.boundary(upper.value, upper.inclusive));
    return Math.max(0, end - start);
  }

  /** Values within the bounds, ascending. */
  *ascending(lower?: Bound<T>, upper?: Bound<T>): Generator<T> {
    this.flush();
    const { chunks } = this;
    const start = lower === undefined ? { chunk: 0, offset: 0 } : this.boundary(lower.value, !lower.inclusive);
    for (let c = start.chunk; c < chunks.length; c++) {
      const chunk = chunks[c] as T[];
      for (let i = c === start.chunk ? start.offset : 0; i < chunk.length; i++) {
        const value = chunk[i] as T;
        if (upper !== undefined && (upper.inclusive ? value > upper.value : value >= upper.value)) return;
        yield value;
      }
    }
  }

  /** Values within the bounds, descending. */
  *descending(lower?: Bound<T>, upper?: Bound<T>): Generator<T> {
    this.flush();
    const { chunks } = this;
    // The first position past the upper bound; the walk starts just before it.
    const end = upper === undefined ? { chunk: chunks.length, offset: 0 } : this.boundary(upper.value, upper.inclusive);
    for (let c = Math.min(end.chunk, chunks.length - 1); c >= 0; c--) {
      const chunk = chunks[c] as T[];
      for (let i = c === end.chunk ? end.offset - 1 : chunk.length - 1; i >= 0; i--) {
        const value = chunk[i] as T;
        if (lower !== undefined && (lower.inclusive ? value < lower.value : value <= lower.value)) return;
        yield value;
      }
    }
  }

  /** Index of the first chunk whose max is >= value (chunks.length when none). */
  private chunkFor(value: T): number {
    return lowerBoundIn(this.maxes, value);
  }

  /** Position of the first value > `value` when `after`, else the first value >= `value`. */
  private boundary(value: T, after: boolean): Position {
    const { chunks, maxes } = this;
    const chunk = after ? upperBoundIn(maxes, value) : lowerBoundIn(maxes, value);
    if (chunk === chunks.length) return { chunk, offset: 0 };
    const values = chunks[chunk] as T[];
    return { chunk, offset: after ? upperBoundIn(values, value) : lowerBoundIn(values, value) };
  }

  private rank(position: Position): number {
    let rank = position.offset;
    for (let c = 0; c < position.chunk; c++) rank += (this.chunks[c] as T[]).length;
    return rank;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const sorted = this.sortValues(this.pending);
    const checkLive = this.pendingDeletes;
    this.pending = [];
    this.pendingDeletes = false;
    // Without deletes in between, pending values are distinct and live: add() is only called for new values.
    const fresh = checkLive ? sorted.filter((value, i) => value !== sorted[i - 1] && this.isLive(value)) : sorted;
    if (this.stored === 0) {
      this.load(fresh);
    } else if (fresh.length * 8 >= this.stored) {
      this.load(mergeSorted(this.chunks.flat(), fresh));
    } else {
      for (const value of fresh) this.insert(value);
    }
  }

  private load(values: readonly T[]): void {
    this.chunks = [];
    this.maxes = [];
    for (let start = 0; start < values.length; start += CHUNK_SIZE) {
      const chunk = values.slice(start, start + CHUNK_SIZE);
      this.chunks.push(chunk);
      this.maxes.push(chunk[chunk.length - 1] as T);
    }
    this.stored = values.length;
  }

  private insert(value: T): void {
    const { chunks, maxes } = this;
    this.stored++;
    if (chunks.length === 0) {
      chunks.push([value]);
      maxes.push(value);
      return;
    }
    const index = Math.min(this.chunkFor(value), chunks.length - 1);
    const chunk = chunks[index] as T[];
    chunk.splice(lowerBoundIn(chunk, value), 0, value);
    maxes[index] = chunk[chunk.length - 1] as T;
    if (chunk.length > 2 * CHUNK_SIZE) {
      const upperHalf = chunk.splice(CHUNK_SIZE);
      chunks.splice(index + 1, 0, upperHalf);
      maxes.splice(index, 1, chunk[chunk.length - 1] as T, upperHalf[upperHalf.length - 1] as T);
    }
  }
}

/** First index whose value is >= `value`. */
function lowerBoundIn<T extends number | string>(values: readonly T[], value: T): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as T) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index whose value is > `value`. */
function upperBoundIn<T extends number | string>(values: readonly T[], value: T): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as T) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function mergeSorted<T extends number | string>(a: readonly T[], b: readonly T[]): T[] {
  const merged: T[] = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) merged[k++] = (a[i] as T) < (b[j] as T) ? (a[i++] as T) : (b[j++] as T);
  while (i < a.length) merged[k++] = a[i++] as T;
  while (j < b.length) merged[k++] = b[j++] as T;
  return merged;
}

export function sortNumbers(values: number[]): number[] {
  return Array.from(Float64Array.from(values).sort());
}

/** Default Array sort compares strings by UTF-16 code units, the order queries use. */
export function sortStrings(values: string[]): string[] {
  return values.sort();
}
