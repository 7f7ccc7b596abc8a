import { crc32 as zlibCrc32 } from 'node:zlib';
import { DELETE_MARKER, DELETE_RECORD_SIZE, LENGTH_FIELD_OFFSET, STORE_MARKER, STORE_OVERHEAD } from '@kilndb/wal-format';
import type { ReadWindow } from './read-window.js';

/** Bytes of a store record's header: marker, id, length. */
const HEADER_BYTES = LENGTH_FIELD_OFFSET + 4;

/** A possible resync record, waiting for the sweep to reach its CRC field. */
interface Candidate {
  readonly at: number;
  /** Where its stored CRC starts: its checked bytes are `[at, crcAt)`. */
  readonly crcAt: number;
  /** CRC-32 of the bytes from the search start to `at`. */
  readonly crcBefore: number;
}

/**
 * The first offset from `start` where a whole valid current record starts (marker 0xC3/0xC4, length within
 * the file, `accept` taking its id, CRC matching), or undefined. One forward sweep keeps the CRC of every
 * byte from `start`; a candidate's own CRC comes from the sweep's values at its two ends (`crcOfRange`),
 * so the search costs one pass over the bytes however many candidates claim long lengths.
 */
export async function findResync(reader: ReadWindow, start: number, accept?: (id: bigint) => boolean): Promise<number | undefined> {
  const waiting = new CandidateHeap();
  let best: number | undefined;
  /** Candidates still waiting that start before `best`: the search ends when none is left. */
  let earlier = 0;
  let sweepCrc = 0;
  let at = start;
  let marker = await nextMarker(reader, start);
  for (;;) {
    const due = waiting.peek()?.crcAt;
    const next = best === undefined ? marker : undefined;
    if (due === undefined && next === undefined) return best;
    const event = Math.min(due ?? Infinity, next ?? Infinity);
    sweepCrc = await crcForward(reader, sweepCrc, at, event);
    at = event;
    for (let candidate = waiting.peek(); candidate?.crcAt === at; candidate = waiting.peek()) {
      waiting.pop();
      if (best !== undefined) {
        if (candidate.at > best) continue;
        earlier--;
      }
      await reader.ensure(at, 4);
      if (crcOfRange(candidate.crcBefore, sweepCrc, at - candidate.at) !== reader.u32(at)) continue;
      best = candidate.at;
      earlier = waiting.countBefore(best);
    }
    if (best !== undefined && earlier === 0) return best;
    if (best === undefined && next === at) {
      const crcAt = await candidateCrcAt(reader, at, accept);
      if (crcAt !== undefined) waiting.push({ at, crcAt, crcBefore: sweepCrc });
      marker = await nextMarker(reader, at + 1);
    }
  }
}

/** Where the CRC field of the record that may start at `at` lies, if it is a candidate at all. */
async function candidateCrcAt(reader: ReadWindow, at: number, accept: ((id: bigint) => boolean) | undefined): Promise<number | undefined> {
  await reader.ensure(at, HEADER_BYTES);
  const size = reader.byte(at) === DELETE_MARKER ? DELETE_RECORD_SIZE : STORE_OVERHEAD + reader.u32(at + LENGTH_FIELD_OFFSET);
  if (at + size > reader.end) return undefined;
  if (accept !== undefined && !accept(reader.u64(at + 1))) return undefined;
  return at + size - 4;
}

/** The next offset from `from` holding 0xC3 or 0xC4 with room for a whole delete record after it. */
async function nextMarker(reader: ReadWindow, from: number): Promise<number | undefined> {
  for (let at = from; at + DELETE_RECORD_SIZE <= reader.end; ) {
    const { buf, index, n } = await reader.rest(at);
    if (n === 0) return undefined;
    const stop = index + n;
    const store = buf.indexOf(STORE_MARKER, index);
    const del = buf.indexOf(DELETE_MARKER, index);
    const found = Math.min(store < 0 || store >= stop ? Infinity : store, del < 0 || del >= stop ? Infinity : del);
    if (found !== Infinity) {
      const offset = at + found - index;
      return offset + DELETE_RECORD_SIZE <= reader.end ? offset : undefined;
    }
    at += n;
  }
  return undefined;
}

/** Extends `crc` (of the bytes before `from`) over the bytes `[from, to)`. */
async function crcForward(reader: ReadWindow, crc: number, from: number, to: number): Promise<number> {
  let value = crc;
  for (let at = from; at < to; ) {
    const { buf, index, n } = await reader.rest(at);
    if (n === 0) break;
    const take = Math.min(n, to - at);
    value = zlibCrc32(buf.subarray(index, index + take), value);
    at += take;
  }
  return value;
}

/** CRC-32 polynomial, reflected. */
const POLYNOMIAL = 0xedb8_8320;
/** `zeroBytePowers[k]`: the linear map (as its 32 columns) that feeding 2^k zero bytes applies to a CRC-32. */
const zeroBytePowers: Uint32Array[] = [];

function apply(map: Uint32Array, vector: number): number {
  let sum = 0;
  for (let bit = 0, v = vector >>> 0; v !== 0; bit++, v >>>= 1) if ((v & 1) !== 0) sum ^= map[bit] ?? 0;
  return sum >>> 0;
}

function squared(map: Uint32Array): Uint32Array {
  return Uint32Array.from(map, (column) => apply(map, column));
}

function zeroBytes(k: number): Uint32Array {
  if (zeroBytePowers.length === 0) {
    // One zero bit shifts the reflected register right, folding in the polynomial when bit 0 falls out.
    const bit = Uint32Array.from({ length: 32 }, (_, i) => (i === 0 ? POLYNOMIAL : 2 ** (i - 1)));
    zeroBytePowers.push(squared(squared(squared(bit))));
  }
  while (zeroBytePowers.length <= k) zeroBytePowers.push(squared(zeroBytePowers[zeroBytePowers.length - 1] as Uint32Array));
  return zeroBytePowers[k] as Uint32Array;
}

/**
 * CRC-32 of the `length` bytes B after a prefix A, from crc(A) and crc(A·B): the CRC is linear, and
 * crc(A·B) = crc(A) fed `length` zero bytes, XOR crc(B) (zlib's crc32_combine rests on the same identity).
 */
export function crcOfRange(crcBefore: number, crcThrough: number, length: number): number {
  let shifted = crcBefore >>> 0;
  for (let k = 0, n = length; n > 0 && shifted !== 0; k++, n = Math.floor(n / 2)) {
    if (n % 2 === 1) shifted = apply(zeroBytes(k), shifted);
  }
  return (crcThrough ^ shifted) >>> 0;
}

/** Candidates by the offset of their CRC field, smallest first (a binary heap). */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  peek(): Candidate | undefined {
    return this.items[0];
  }

  push(candidate: Candidate): void {
    const items = this.items;
    items.push(candidate);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Candidate).crcAt <= candidate.crcAt) break;
      items[i] = items[parent] as Candidate;
      items[parent] = candidate;
      i = parent;
    }
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && (items[left] as Candidate).crcAt < (items[smallest] as Candidate).crcAt) smallest = left;
      if (right < items.length && (items[right] as Candidate).crcAt < (items[smallest] as Candidate).crcAt) smallest = right;
      if (smallest === i) break;
      items[i] = items[smallest] as Candidate;
      items[smallest] = last;
      i = smallest;
    }
    return top;
  }

  /** How many waiting candidates start before `offset`. */
  countBefore(offset: number): number {
    let count = 0;
    for (const candidate of this.items) if (candidate.at < offset) count++;
    return count;
  }
}
