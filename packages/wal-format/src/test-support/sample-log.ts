import { encodeDelete, encodeStore } from '../encode.js';
import { concatBytes, utf8 } from './bytes.js';
import { legacyDeleteBytes, legacyStoreBytes, patternBytes } from './records.js';

/** A record placed in a sample log, with what a scan must report for it. */
export interface PlacedRecord {
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly expected:
    | { type: 'store'; id: bigint; payload: Uint8Array; legacy: boolean; size: number }
    | { type: 'delete'; id: bigint; legacy: boolean; size: number }
    | { type: 'corrupt'; id: bigint; size: number };
}

/** Lays records end to end and says where each one starts. */
export function layOut(parts: readonly { bytes: Uint8Array; expected: PlacedRecord['expected'] }[]): {
  buf: Uint8Array;
  records: PlacedRecord[];
} {
  let offset = 0;
  const records = parts.map((part) => {
    const placed = { ...part, offset };
    offset += part.bytes.length;
    return placed;
  });
  return { buf: concatBytes(...parts.map((p) => p.bytes)), records };
}

export function store(id: bigint, payload: Uint8Array): { bytes: Uint8Array; expected: PlacedRecord['expected'] } {
  const bytes = encodeStore(id, payload);
  return { bytes, expected: { type: 'store', id, payload, legacy: false, size: bytes.length } };
}

export function del(id: bigint): { bytes: Uint8Array; expected: PlacedRecord['expected'] } {
  return { bytes: encodeDelete(id), expected: { type: 'delete', id, legacy: false, size: 13 } };
}

export function legacyStore(id: bigint, payload: Uint8Array): { bytes: Uint8Array; expected: PlacedRecord['expected'] } {
  const bytes = legacyStoreBytes(id, payload);
  return { bytes, expected: { type: 'store', id, payload, legacy: true, size: bytes.length } };
}

export function legacyDel(id: bigint): { bytes: Uint8Array; expected: PlacedRecord['expected'] } {
  return { bytes: legacyDeleteBytes(id), expected: { type: 'delete', id, legacy: true, size: 9 } };
}

/** A current store whose payload was damaged after its CRC was computed. */
export function corruptStore(id: bigint, payload: Uint8Array): { bytes: Uint8Array; expected: PlacedRecord['expected'] } {
  const bytes = encodeStore(id, payload);
  bytes[13] = (bytes[13] ?? 0) ^ 0x40;
  return { bytes, expected: { type: 'corrupt', id, size: bytes.length } };
}

/** Legacy records followed by current ones, as in a log written before and after an upgrade. */
export function mixedLog(): { buf: Uint8Array; records: PlacedRecord[] } {
  return layOut([
    legacyStore(1n, utf8('{"v":1}')),
    legacyDel(2n),
    legacyStore(3n, new Uint8Array(0)),
    store(1n, utf8('{"v":2}')),
    del(3n),
    store(2n ** 64n - 1n, patternBytes(150)),
    legacyDel(9n),
    store(4n, patternBytes(20, 2)),
  ]);
}

/** A mixed log with a corrupt store in the middle. */
export function logWithCorruptMiddle(): { buf: Uint8Array; records: PlacedRecord[] } {
  return layOut([
    store(1n, utf8('first')),
    legacyStore(2n, utf8('legacy')),
    corruptStore(3n, utf8('damaged')),
    del(1n),
    store(5n, utf8('last')),
  ]);
}
