import { DatabaseLayoutError } from '../errors.js';
import type { StoredDoc } from '../query/types.js';
import { KEY_OFFSET, asciiEquals, docEntryFits, hashAscii, hashBytes, sameBytes } from './held-doc.js';

/**
 * A document as a collection holds it: parsed, or (a number) the slot of the snapshot entry it was loaded
 * from, still unparsed. Opening a database keeps snapshot documents as bytes and parses each on first use (a
 * later compaction writes untouched ones back as they are).
 */
export type HeldDoc = StoredDoc | number;

/** Whether `held` is still the unparsed snapshot entry. */
export function isHeld(held: HeldDoc | undefined): held is number {
  return typeof held === 'number';
}

/**
 * One collection's documents by key, with a Map's interface and order (first insertion order; a key deleted
 * and written again goes last).
 *
 * Documents loaded from a snapshot sit in slots 0..n-1 and are found through a hash table of slot numbers
 * over their keys' bytes in the snapshot buffer: an open allocates no string, object or Map entry per
 * document, and builds the table on the first lookup. A slot's document is parsed on first use and kept in
 * `parsed`. Once every held document is parsed, the snapshot's bytes are let go (a key is then compared with
 * its document's `_key`). Documents written after the open live in `extra`, after the slots.
 */
export class DocTable {
  private readonly extra = new Map<string, StoredDoc>();
  private slots = 0;
  private live = 0;
  private unparsed = 0;
  /** Holds each slot's entry as `tag · key length u32 · key · ...`: the snapshot, or only the keys once all are parsed. */
  private bytes: Buffer | undefined;
  // Typed arrays, grown by doubling: an open of a million documents then leaves nothing for the GC to trace.
  private starts = new Float64Array(0);
  /** Where each slot's entry ends in `bytes`, while some are unparsed. */
  private ends: Float64Array | undefined = new Float64Array(0);
  /** Each slot's key hash, taken while the open reads the entry anyway, so lookups and the table build rarely touch the bytes. */
  private hashes = new Int32Array(0);
  /** Parsed documents by slot, made on the first parse. */
  private parsed: (StoredDoc | undefined)[] | undefined;
  private dead: Uint8Array | undefined;
  private table: Int32Array | undefined;
  /** Keys decoded so far, by slot: the indexes and every later walk share one string per key, as a Map's keys would. */
  private keyStrings: (string | undefined)[] | undefined;

  get size(): number {
    return this.live + this.extra.size;
  }

  /** How many snapshot entries were held (slots 0..n-1), deleted and parsed ones included. */
  get heldSlots(): number {
    return this.slots;
  }

  /**
   * Holds the document entry at `bytes[start, end)` in the next slot (every entry of one table must come
   * from the same `bytes`). Returns false when its key runs past its end.
   */
  hold(bytes: Buffer, start: number, end: number): boolean {
    if (!docEntryFits(bytes, start, end)) return false;
    if (this.bytes !== bytes && this.slots > 0) throw new Error('a DocTable holds entries of one buffer');
    this.bytes = bytes;
    const slot = this.slots++;
    if (slot === this.starts.length) this.reserve(Math.max(16, 2 * slot));
    this.starts[slot] = start;
    (this.ends as Float64Array)[slot] = end;
    this.hashes[slot] = hashBytes(bytes, start + KEY_OFFSET, start + KEY_OFFSET + bytes.readUInt32LE(start + 1));
    this.live++;
    this.unparsed++;
    this.table = undefined;
    return true;
  }

  /** Makes room for `capacity` held slots in all. */
  private reserve(capacity: number): void {
    if (capacity <= this.starts.length) return;
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old.subarray(0, this.slots));
      return next;
    };
    this.starts = grow(this.starts, (n) => new Float64Array(n));
    this.ends = grow(this.ends as Float64Array, (n) => new Float64Array(n));
    this.hashes = grow(this.hashes, (n) => new Int32Array(n));
  }

  /** Gives back the room grown beyond the slots held (an open calls it once it has held them all). */
  trim(): void {
    if (this.starts.length === this.slots) return;
    this.starts = this.starts.slice(0, this.slots);
    this.ends = this.ends?.slice(0, this.slots);
    this.hashes = this.hashes.slice(0, this.slots);
  }

  get(key: string): HeldDoc | undefined {
    if (this.slots === 0) return this.extra.get(key);
    const slot = this.find(key);
    return slot < 0 ? this.extra.get(key) : (this.parsed?.[slot] ?? slot);
  }

  has(key: string): boolean {
    return (this.slots > 0 && this.find(key) >= 0) || this.extra.has(key);
  }

  /** The document at `key`, parsed (once) if it is still held as bytes. */
  doc(key: string): StoredDoc | undefined {
    if (this.slots === 0) return this.extra.get(key);
    const slot = this.find(key);
    if (slot < 0) return this.extra.get(key);
    return this.parsed?.[slot] ?? this.parse(slot, key);
  }

  set(key: string, doc: StoredDoc): this {
    const slot = this.slots === 0 ? -1 : this.find(key);
    if (slot < 0) {
      this.extra.set(key, doc);
      return this;
    }
    const parsed = (this.parsed ??= new Array<StoredDoc | undefined>(this.slots));
    const wasHeld = parsed[slot] === undefined;
    parsed[slot] = doc;
    if (wasHeld) this.parsedOne();
    return this;
  }

  delete(key: string): boolean {
    const slot = this.slots === 0 ? -1 : this.find(key);
    if (slot < 0) return this.extra.delete(key);
    const wasHeld = this.parsed?.[slot] === undefined;
    if (this.parsed !== undefined) this.parsed[slot] = undefined;
    this.dead ??= new Uint8Array(this.slots);
    this.dead[slot] = 1;
    this.live--;
    if (wasHeld) this.parsedOne();
    return true;
  }

  *keys(): Generator<string> {
    for (let slot = 0; slot < this.slots; slot++) if (this.dead?.[slot] !== 1) yield this.keyOf(slot);
    yield* this.extra.keys();
  }

  *values(): Generator<HeldDoc> {
    for (let slot = 0; slot < this.slots; slot++) if (this.dead?.[slot] !== 1) yield this.parsed?.[slot] ?? slot;
    yield* this.extra.values();
  }

  *entries(): Generator<[string, HeldDoc]> {
    for (let slot = 0; slot < this.slots; slot++) if (this.dead?.[slot] !== 1) yield [this.keyOf(slot), this.parsed?.[slot] ?? slot];
    yield* this.extra.entries();
  }

  /** Calls `fn` with each document and key in order (no pair or generator per document, for walks of every document). */
  forEach(fn: (held: HeldDoc, key: string) => void): void {
    for (let slot = 0; slot < this.slots; slot++) if (this.dead?.[slot] !== 1) fn(this.parsed?.[slot] ?? slot, this.keyOf(slot));
    this.extra.forEach(fn);
  }

  [Symbol.iterator](): Generator<[string, HeldDoc]> {
    return this.entries();
  }

  /** Whether some document is still held unparsed. */
  get holding(): boolean {
    return this.unparsed > 0;
  }

  /** The key of held `slot`. */
  keyOf(slot: number): string {
    // A parsed document already has the key as a string.
    const cached = this.parsed?.[slot]?._key ?? this.keyStrings?.[slot];
    if (cached !== undefined) return cached;
    const bytes = this.bytes as Buffer;
    const at = (this.starts[slot] as number) + KEY_OFFSET;
    const key = bytes.toString('utf8', at, at + bytes.readUInt32LE(at - 4));
    (this.keyStrings ??= new Array<string | undefined>(this.slots))[slot] = key;
    return key;
  }

  /** UTF-8 bytes of the entry while held, else the JSON length of the document. */
  byteSize(held: HeldDoc): number {
    if (typeof held !== 'number') return JSON.stringify(held).length;
    return ((this.ends as Float64Array)[held] as number) - (this.starts[held] as number);
  }

  /**
   * Reads whole held entries (views, to write them back as they came) of the slots held now; it keeps
   * working after the table lets the snapshot's bytes go, so a snapshot being written keeps what it captured.
   */
  heldEntries(): (slot: number) => Uint8Array {
    const { bytes, starts, ends } = this;
    return (slot) => (bytes as Buffer).subarray(starts[slot], (ends as Float64Array)[slot]);
  }

  private parse(slot: number, key: string): StoredDoc {
    const bytes = this.bytes as Buffer;
    const start = (this.starts[slot] as number) + KEY_OFFSET + bytes.readUInt32LE((this.starts[slot] as number) + 1);
    const doc = JSON.parse(bytes.toString('utf8', start, (this.ends as Float64Array)[slot])) as StoredDoc;
    if (doc._key !== key) throw new DatabaseLayoutError(`document "${key}"`, `its snapshot entry holds the document of key ${JSON.stringify(doc._key)}`);
    (this.parsed ??= new Array<StoredDoc | undefined>(this.slots))[slot] = doc;
    this.parsedOne();
    return doc;
  }

  private parsedOne(): void {
    if (--this.unparsed === 0) this.dropBytes();
  }

  /**
   * Every held document is parsed, and each carries its key: the snapshot's bytes can go. New arrays, not
   * changed in place: a capture taken before (heldEntries) still reads the old ones.
   */
  private dropBytes(): void {
    this.table ??= this.buildTable();
    this.bytes = undefined;
    this.starts = new Float64Array(0);
    this.ends = undefined;
    this.keyStrings = undefined;
    this.hashes = this.hashes.slice(0, this.slots);
  }

  /** The live slot holding `key`, or -1. */
  private find(key: string): number {
    const table = this.table ?? this.buildTable();
    const bytes = this.bytes;
    const mask = table.length - 1;
    let hash = hashAscii(key);
    const encoded = hash < 0 ? Buffer.from(key, 'utf8') : undefined;
    if (encoded !== undefined) hash = hashBytes(encoded, 0, encoded.length);
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = table[i] as number;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (this.hashes[slot] !== (hash | 0) || this.dead?.[slot] === 1) continue;
      // A parsed document's key is compared as a string; only held ones read the snapshot's bytes.
      const parsed = this.parsed?.[slot];
      if (parsed !== undefined) {
        if (parsed._key === key) return slot;
        continue;
      }
      const start = this.starts[slot] as number;
      if (bytes === undefined) continue;
      const length = bytes.readUInt32LE(start + 1);
      const from = start + KEY_OFFSET;
      const same =
        encoded === undefined ? asciiEquals(key, bytes, from, length) : length === encoded.length && encoded.equals(bytes.subarray(from, from + length));
      if (same) return slot;
    }
  }

  private buildTable(): Int32Array {
    const bytes = this.bytes as Buffer;
    const { hashes, starts } = this;
    let size = 16;
    while (size < this.slots * 2) size *= 2;
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let slot = 0; slot < this.slots; slot++) {
      const hash = hashes[slot] as number;
      let i = hash & mask;
      for (; table[i] !== 0; i = (i + 1) & mask) {
        // A key held twice (only a hand-made snapshot has that): the later entry wins, as a Map would keep it.
        const other = (table[i] as number) - 1;
        if (hashes[other] !== hash) continue;
        const start = starts[slot] as number;
        const otherStart = starts[other] as number;
        const length = bytes.readUInt32LE(start + 1);
        if (bytes.readUInt32LE(otherStart + 1) === length && sameBytes(bytes, start + KEY_OFFSET, otherStart + KEY_OFFSET, length)) {
          this.dead ??= new Uint8Array(this.slots);
          this.dead[other] = 1;
          this.live--;
          this.unparsed--;
          break;
        }
      }
      table[i] = slot + 1;
    }
    this.table = table;
    return table;
  }
}
