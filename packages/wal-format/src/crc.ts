import { crc32 as zlibCrc32 } from 'node:zlib';

/** Reflected IEEE polynomial, as zlib uses. */
const POLYNOMIAL = 0xedb8_8320;

/** Below this many bytes, a table lookup per byte beats the fixed cost of a zlib call and its subarray (~100 bytes here). */
const SHORT_RANGE = 64;

const TABLE = Int32Array.from({ length: 256 }, (_, byte) => {
  let c = byte;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (IEEE, the same value as zlib's `crc32`) of `bytes[start, end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > bytes.length) {
    throw new RangeError(`crc32 range ${String(start)}..${String(end)} is not within 0..${bytes.length}`);
  }
  if (end - start < SHORT_RANGE) {
    let c = -1;
    for (let i = start; i < end; i++) c = (TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
    return ~c >>> 0;
  }
  return zlibCrc32(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
