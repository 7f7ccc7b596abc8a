/** Entries per chunk after a split; a chunk splits when it grows past twice this. */
const CHUNK_SIZE = 512;

interface Chunk {
  /** Parallel arrays, in storage order: `_seq` ascending, then key descending. */
  seqs: number[];
  keys: string[];
}

/** Whether (seqA, keyA) comes before (seqB, keyB) in storage order, the reverse of the tie order. */
export function storedBefore(seqA: number, keyA: string, seqB: number, keyB: string): boolean {
  return seqA < seqB || (seqA === seqB && keyA > keyB);
}

/**
 * The keys sharing one indexed value, kept in the order a query sort breaks ties in: highest `_seq`
 * first, then `_key` ascending (see compareTieBreak). A sort walk can then stop after the first few
 * keys of a large group instead of reading and sorting all of them.
 *
 * Storage is the reverse of that order, so the common write (a new document, whose `_seq` is the
 * highest) appends. Chunks of at most 1024 entries keep an insert or delete in the middle, e.g. an
 * update moving an old document into the group, to a binary search and a short splice.
 */
export class TieList {
  private readonly chunks: Chunk[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** A list of the pairs `seqs[i]`, `keys[i]`, which must already be distinct and in storage order (`_seq` ascending, then key descending). */
  static fromSorted(seqs: readonly number[], keys: readonly string[]): TieList {
    const list = new TieList();
    for (let start = 0; start < seqs.length; start += CHUNK_SIZE) {
      list.chunks.push({ seqs: seqs.slice(start, start + CHUNK_SIZE), keys: keys.slice(start, start + CHUNK_SIZE) });
    }
    list.count = seqs.length;
    return list;
  }

  /** Adds the pair; false when it was already there. */
  add(seq: number, key: string): boolean {
    const { chunks } = this;
    const last = chunks[chunks.length - 1];
    if (last === undefined) {
      chunks.push({ seqs: [seq], keys: [key] });
      this.count++;
      return true;
    }
    // A new document's `_seq` is the highest: it goes last, with no search.
    const end = last.seqs.length - 1;
    const appends = storedBefore(last.seqs[end] as number, last.keys[end] as string, seq, key);
    const index = appends ? chunks.length - 1 : Math.min(this.chunkFor(seq, key), chunks.length - 1);
    const chunk = chunks[index] as Chunk;
    const at = appends ? chunk.seqs.length : positionIn(chunk, seq, key);
    if (chunk.seqs[at] === seq && chunk.keys[at] === key) return false;
    if (at === chunk.seqs.length) {
      chunk.seqs.push(seq);
      chunk.keys.push(key);
    } else {
      chunk.seqs.splice(at, 0, seq);
      chunk.keys.splice(at, 0, key);
    }
    this.count++;
    if (chunk.seqs.length > 2 * CHUNK_SIZE) {
      chunks.splice(index + 1, 0, { seqs: chunk.seqs.splice(CHUNK_SIZE), keys: chunk.keys.splice(CHUNK_SIZE) });
    }
    return true;
  }

  /** Removes the pair; false when it was not there. */
  remove(seq: number, key: string): boolean {
    const { chunks } = this;
    const index = this.chunkFor(seq, key);
    const chunk = chunks[index];
    if (chunk === undefined) return false;
    const at = positionIn(chunk, seq, key);
    if (chunk.seqs[at] !== seq || chunk.keys[at] !== key) return false;
    chunk.seqs.splice(at, 1);
    chunk.keys.splice(at, 1);
    this.count--;
    if (chunk.seqs.length === 0) chunks.splice(index, 1);
    return true;
  }

  /** The keys in storage order (oldest `_seq` first, roughly), for readers that do not need an order: arrays, no generator. */
  unordered(): Iterable<string> {
    const { chunks } = this;
    if (chunks.length === 1) return (chunks[0] as Chunk).keys;
    const keys: string[] = [];
    for (const chunk of chunks) for (const key of chunk.keys) keys.push(key);
    return keys;
  }

  /**
   * The keys in tie order (newest `_seq` first, then `_key` ascending), or with `oldestFirst` by `_seq`
   * ascending (then still `_key` ascending, as a sort on `_seq` breaks its ties).
   */
  *keys(oldestFirst = false): Generator<string> {
    const { chunks } = this;
    if (!oldestFirst) {
      for (let c = chunks.length - 1; c >= 0; c--) {
        const keys = (chunks[c] as Chunk).keys;
        for (let i = keys.length - 1; i >= 0; i--) yield keys[i] as string;
      }
      return;
    }
    // Storage order holds equal `_seq` runs with keys descending: each run comes out reversed.
    let run: string[] = [];
    let runSeq = NaN;
    for (const { seqs, keys } of chunks) {
      for (let i = 0; i < seqs.length; i++) {
        if (seqs[i] !== runSeq) {
          for (let j = run.length - 1; j >= 0; j--) yield run[j] as string;
          run = [];
          runSeq = seqs[i] as number;
        }
        run.push(keys[i] as string);
      }
    }
    for (let j = run.length - 1; j >= 0; j--) yield run[j] as string;
  }

  /** Index of the first chunk whose last entry is not before the pair (chunks.length when none). */
  private chunkFor(seq: number, key: string): number {
    const { chunks } = this;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const chunk = chunks[mid] as Chunk;
      const end = chunk.seqs.length - 1;
      if (storedBefore(chunk.seqs[end] as number, chunk.keys[end] as string, seq, key)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Index of the first entry of `chunk` not before the pair. */
function positionIn(chunk: Chunk, seq: number, key: string): number {
  const { seqs, keys } = chunk;
  let low = 0;
  let high = seqs.length;
  // New documents carry the highest `_seq`: check the end first.
  if (high > 0 && storedBefore(seqs[high - 1] as number, keys[high - 1] as string, seq, key)) return high;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (storedBefore(seqs[mid] as number, keys[mid] as string, seq, key)) low = mid + 1;
    else high = mid;
  }
  return low;
}
