import { SAFE_HIGH_WORD_LIMIT, TWO_POW_32 } from './u64.js';

/** Reads the u32 stored little-endian at `at`; callers have checked that the four bytes are there. */
export function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at] ?? 0) | ((buf[at + 1] ?? 0) << 8) | ((buf[at + 2] ?? 0) << 16) | ((buf[at + 3] ?? 0) << 24)) >>> 0;
}


/** Reads the u64 stored little-endian at `at`. */
export function readU64(buf: Uint8Array, at: number): bigint {
  const low = readU32(buf, at);
  const high = readU32(buf, at + 4);
  // Most ids fit in 53 bits: one BigInt conversion instead of two plus a shift and an or.
  if (high < SAFE_HIGH_WORD_LIMIT) return BigInt(high * TWO_POW_32 + low);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Writes `value` (0..2^32-1) little-endian at `at`; a Uint8Array store keeps the low 8 bits of each shift. */
export function writeU32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value;
  buf[at + 1] = value >>> 8;
  buf[at + 2] = value >>> 16;
  buf[at + 3] = value >>> 24;
}
