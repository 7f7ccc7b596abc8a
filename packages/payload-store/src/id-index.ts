import { SAFE_HIGH_WORD_LIMIT, TWO_POW_32, u64High, u64Low } from '@kilndb/wal-format';

/** Size stored for a record whose size is not known yet (an entry loaded from a VSNP snapshot, which keeps offsets only). */
export const UNKNOWN_SIZE = 0xffff_ffff;

/** Returned by `set` and `delete` when the id was not in the index. */
export const ABSENT = -1;

/** An id as the index keys it: a safe-integer number, or a bigint above 2^53 - 1. */
export type IndexKey = number | bigint;

/** Words per slot: key low, key tag, offset low, offset high, record size. */
const STRIDE = 5;
/**
 * The tag word holds the key's high 32 bits plus one (a safe integer's high word is below 2^21), so 0 marks
 * an empty slot and a freshly allocated (zeroed) table is empty without being written.
 */
const EMPTY = 0;
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const MIN_CAPACITY = 16;

export interface Relocation {
  offset: number;
  size: number;
}

interface LargeEntry {
  offset: number;
  size: number;
}

/**
 * A hash table from record id to (record offset, record size) in one Uint32Array: 20 bytes per slot, grown
 * ×1.5 at load 0.8, so 25–37.5 bytes per id (a JS Map costs about 80). A slot's five words share a cache
 * line, so a lookup in a table far larger than the cache costs one miss. Open addressing with linear
 * probing and backward-shift deletion (no tombstones, so lookups never slow down as ids come and go).
 * The capacity is not a power of two: a mixed 32-bit hash is mapped onto it by multiplication.
 *
 * Ids above 2^53 - 1 are rare and live in a Map beside the table.
 */
export class IdIndex {
  private capacity: number;
  private words: Uint32Array;
  private used = 0;
  private readonly large = new Map<bigint, LargeEntry>();

  /** Set by `lookup`: where the found record starts and its size (`UNKNOWN_SIZE` if not known). */
  foundOffset = 0;
  foundSize = 0;

  /** Pre-sizes the table for `expected` ids, so adding that many never grows it. */
  constructor(expected = 0) {
    this.capacity = capacityFor(expected);
    this.words = new Uint32Array(this.capacity * STRIDE);
  }

  get count(): number {
    return this.used + this.large.size;
  }

  /** Bytes of the table (the Map for ids above 2^53 - 1 is not counted). */
  get byteLength(): number {
    return this.words.byteLength;
  }

  has(id: IndexKey): boolean {
    if (typeof id === 'bigint') return this.large.has(id);
    return this.slotOf(id) !== -1;
  }

  /** Finds `id`; on success sets `foundOffset` and `foundSize` and returns true. Allocates nothing. */
  lookup(id: IndexKey): boolean {
    if (typeof id === 'bigint') {
      const entry = this.large.get(id);
      if (entry === undefined) return false;
      this.foundOffset = entry.offset;
      this.foundSize = entry.size;
      return true;
    }
    const slot = this.slotOf(id);
    if (slot === -1) return false;
    const words = this.words;
    const at = slot * STRIDE;
    this.foundOffset = (words[at + 2] ?? 0) + (words[at + 3] ?? 0) * TWO_POW_32;
    this.foundSize = words[at + 4] ?? 0;
    return true;
  }

  /** Maps `id` to a record; returns the size of the record it replaces, or `ABSENT`. */
  set(id: IndexKey, offset: number, size: number): number {
    if (typeof id === 'bigint') {
      const entry = this.large.get(id);
      this.large.set(id, { offset, size });
      return entry === undefined ? ABSENT : entry.size;
    }
    if (this.used + 1 > this.capacity * MAX_LOAD) this.resize(Math.ceil(this.capacity * GROWTH));
    const words = this.words;
    const capacity = this.capacity;
    const low = id >>> 0;
    const high = (id / TWO_POW_32) >>> 0;
    const tag = high + 1;
    let slot = homeSlot(low, high, capacity);
    for (;;) {
      const at = slot * STRIDE;
      const keyTag = words[at + 1];
      if (keyTag === EMPTY) break;
      if (keyTag === tag && words[at] === low) {
        const previous = words[at + 4] ?? 0;
        writeEntry(words, at, offset, size);
        return previous;
      }
      if (++slot === capacity) slot = 0;
    }
    const at = slot * STRIDE;
    words[at] = low;
    words[at + 1] = tag;
    writeEntry(words, at, offset, size);
    this.used++;
    return ABSENT;
  }

  /**
   * Adds many entries at once. `pairs` holds four words per entry, as a VSNP snapshot lists them (id low,
   * id high, offset low, offset high); each offset is shifted by `offsetShift` and every size is `size`.
   * The table is sized once up front. Returns the position of the first id that was already present (and
   * stops there), or -1.
   */
  insertMany(pairs: Uint32Array, offsetShift: number, size: number): number {
    const count = pairs.length >>> 2;
    if (this.used + count > this.capacity * MAX_LOAD) this.resize(capacityFor(this.used + count));
    for (let i = 0, at = 0; i < count; i++, at += 4) {
      const low = pairs[at] ?? 0;
      const high = pairs[at + 1] ?? 0;
      const id = high < SAFE_HIGH_WORD_LIMIT ? low + high * TWO_POW_32 : (BigInt(high) << 32n) | BigInt(low);
      const offset = (pairs[at + 2] ?? 0) + (pairs[at + 3] ?? 0) * TWO_POW_32 + offsetShift;
      if (this.set(id, offset, size) !== ABSENT) return i;
    }
    return -1;
  }

  /** Sum of the known record sizes, and how many entries have an unknown size. */
  sizeTotals(): { known: number; unknown: number } {
    const words = this.words;
    const end = this.capacity * STRIDE;
    let known = 0;
    let unknown = 0;
    for (let at = 0; at < end; at += STRIDE) {
      if (words[at + 1] === EMPTY) continue;
      const size = words[at + 4] ?? 0;
      if (size === UNKNOWN_SIZE) unknown++;
      else known += size;
    }
    for (const entry of this.large.values()) {
      if (entry.size === UNKNOWN_SIZE) unknown++;
      else known += entry.size;
    }
    return { known, unknown };
  }

  /** Records the size of an entry whose size was unknown; does nothing if `id` is absent. */
  setSize(id: IndexKey, size: number): void {
    if (typeof id === 'bigint') {
      const entry = this.large.get(id);
      if (entry !== undefined) entry.size = size;
      return;
    }
    const slot = this.slotOf(id);
    if (slot !== -1) this.words[slot * STRIDE + 4] = size;
  }

  /** Removes `id`; returns the size of the record it pointed at, or `ABSENT`. */
  delete(id: IndexKey): number {
    if (typeof id === 'bigint') {
      const entry = this.large.get(id);
      if (entry === undefined) return ABSENT;
      this.large.delete(id);
      return entry.size;
    }
    const slot = this.slotOf(id);
    if (slot === -1) return ABSENT;
    const size = this.words[slot * STRIDE + 4] ?? 0;
    this.removeSlot(slot);
    this.used--;
    return size;
  }

  /** Calls `fn` for every entry: numbers first (in table order), then ids above 2^53 - 1. */
  forEach(fn: (id: IndexKey, offset: number, size: number) => void): void {
    const words = this.words;
    const end = this.capacity * STRIDE;
    for (let at = 0; at < end; at += STRIDE) {
      const tag = words[at + 1] ?? EMPTY;
      if (tag === EMPTY) continue;
      const offset = (words[at + 2] ?? 0) + (words[at + 3] ?? 0) * TWO_POW_32;
      fn((words[at] ?? 0) + (tag - 1) * TWO_POW_32, offset, words[at + 4] ?? 0);
    }
    for (const [id, entry] of this.large) fn(id, entry.offset, entry.size);
  }

  /**
   * Moves every entry (after a compaction rewrote the records): `move(offset, size, to)` sets `to.offset`
   * and `to.size` to where the entry's record is now.
   */
  relocate(move: (offset: number, size: number, to: Relocation) => void): void {
    const words = this.words;
    const end = this.capacity * STRIDE;
    const to: Relocation = { offset: 0, size: 0 };
    for (let at = 0; at < end; at += STRIDE) {
      if (words[at + 1] === EMPTY) continue;
      move((words[at + 2] ?? 0) + (words[at + 3] ?? 0) * TWO_POW_32, words[at + 4] ?? 0, to);
      writeEntry(words, at, to.offset, to.size);
    }
    for (const entry of this.large.values()) {
      move(entry.offset, entry.size, to);
      entry.offset = to.offset;
      entry.size = to.size;
    }
  }

  private slotOf(id: number): number {
    const words = this.words;
    const capacity = this.capacity;
    const low = id >>> 0;
    const high = (id / TWO_POW_32) >>> 0;
    const tag = high + 1;
    let slot = homeSlot(low, high, capacity);
    for (;;) {
      const at = slot * STRIDE;
      const keyTag = words[at + 1];
      if (keyTag === tag && words[at] === low) return slot;
      if (keyTag === EMPTY) return -1;
      if (++slot === capacity) slot = 0;
    }
  }

  /**
   * Empties `slot`, then walks the run after it and moves back each entry that may sit in the hole (its home
   * slot is not cyclically within (hole, here]), so every remaining entry stays reachable from its home slot.
   */
  private removeSlot(slot: number): void {
    const { words, capacity } = this;
    let hole = slot;
    let here = slot;
    for (;;) {
      if (++here === capacity) here = 0;
      const at = here * STRIDE;
      const tag = words[at + 1] ?? EMPTY;
      if (tag === EMPTY) break;
      const home = homeSlot(words[at] ?? 0, tag - 1, capacity);
      const reachableWithoutHole = hole <= here ? home > hole && home <= here : home > hole || home <= here;
      if (!reachableWithoutHole) {
        copySlot(words, at, words, hole * STRIDE);
        hole = here;
      }
    }
    words[hole * STRIDE + 1] = EMPTY;
  }

  private resize(capacity: number): void {
    const old = this.words;
    const oldEnd = this.capacity * STRIDE;
    const words = new Uint32Array(capacity * STRIDE);
    for (let from = 0; from < oldEnd; from += STRIDE) {
      const tag = old[from + 1] ?? EMPTY;
      if (tag === EMPTY) continue;
      let slot = homeSlot(old[from] ?? 0, tag - 1, capacity);
      while (words[slot * STRIDE + 1] !== EMPTY) if (++slot === capacity) slot = 0;
      copySlot(old, from, words, slot * STRIDE);
    }
    this.capacity = capacity;
    this.words = words;
  }
}

function copySlot(from: Uint32Array, fromAt: number, to: Uint32Array, toAt: number): void {
  for (let word = 0; word < STRIDE; word++) to[toAt + word] = from[fromAt + word] ?? 0;
}

function writeEntry(words: Uint32Array, at: number, offset: number, size: number): void {
  words[at + 2] = u64Low(offset);
  words[at + 3] = u64High(offset);
  words[at + 4] = size;
}

function capacityFor(expected: number): number {
  return Math.max(MIN_CAPACITY, Math.ceil(expected / MAX_LOAD) + 1);
}

/**
 * The slot a key's probe starts at. The key's two 32-bit halves are combined and run through murmur3's
 * finaliser, so sequential ids land far apart; the 32-bit hash is then scaled onto [0, capacity).
 */
function homeSlot(low: number, high: number, capacity: number): number {
  let h = low ^ Math.imul(high, 0x9e37_79b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  // Exact for capacities below 2^21; above that the rounding error stays well under one slot, and the
  // product never rounds up to 2^32 * capacity, so the result is always below capacity.
  return Math.floor(((h >>> 0) * capacity) / TWO_POW_32);
}
