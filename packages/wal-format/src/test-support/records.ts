import { concatBytes, u32le, u64le } from './bytes.js';
import { referenceCrc32 } from './reference-crc32.js';

/*
 * Records framed straight from the byte table, independently of the encoder: legacy records (which the
 * package never writes) and current ones for cross-checking.
 */

export function legacyStoreBytes(id: bigint, payload: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(0x01), u64le(id), u32le(payload.length), payload);
}

export function legacyDeleteBytes(id: bigint): Uint8Array {
  return concatBytes(Uint8Array.of(0x02), u64le(id));
}

export function withCrc(body: Uint8Array): Uint8Array {
  return concatBytes(body, u32le(referenceCrc32(body)));
}

export function storeBytes(id: bigint, payload: Uint8Array): Uint8Array {
  return withCrc(concatBytes(Uint8Array.of(0xc3), u64le(id), u32le(payload.length), payload));
}

export function deleteBytes(id: bigint): Uint8Array {
  return withCrc(concatBytes(Uint8Array.of(0xc4), u64le(id)));
}

/** Deterministic filler bytes, so failures reproduce. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 131 + seed * 17 + 7) & 0xff);
}
