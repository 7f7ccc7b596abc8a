import { crc32 } from './crc.js';
import {
  DELETE_MARKER,
  DELETE_RECORD_SIZE,
  LEGACY_DELETE_MARKER,
  LEGACY_DELETE_RECORD_SIZE,
  LEGACY_STORE_MARKER,
  LEGACY_STORE_OVERHEAD,
  STORE_MARKER,
  STORE_OVERHEAD,
} from './markers.js';

/** A store record; `payload` is a view into the decoded buffer, not a copy. */
export interface StoreRecord {
  readonly type: 'store';
  readonly id: bigint;
  readonly payload: Uint8Array;
  readonly legacy: boolean;
  /** Bytes the whole record takes. */
  readonly size: number;
}

export interface DeleteRecord {
  readonly type: 'delete';
  readonly id: bigint;
  readonly legacy: boolean;
  readonly size: number;
}

/** A current record whose CRC does not match; its framing is intact, so `size` says where the next record starts. */
export interface CorruptRecord {
  readonly type: 'corrupt';
  readonly marker: number;
  readonly id: bigint;
  readonly size: number;
  readonly storedCrc: number;
  readonly computedCrc: number;
}

/** The buffer ends inside the record: a torn tail, or more bytes are needed. */
export interface IncompleteRecord {
  readonly type: 'incomplete';
  /** Bytes from the record start needed to learn more: the whole record once its length is known, else its header. */
  readonly needed: number;
  readonly available: number;
}

export interface UnknownRecord {
  readonly type: 'unknown';
  readonly marker: number;
}

export type ValidRecord = StoreRecord | DeleteRecord;
export type DecodeResult = ValidRecord | CorruptRecord | IncompleteRecord | UnknownRecord;

function u32(buf: Uint8Array, at: number): number {
  return (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
}

function u64(buf: Uint8Array, at: number): bigint {
  return (BigInt(u32(buf, at + 4)) << 32n) | BigInt(u32(buf, at));
}

function incomplete(needed: number, available: number): IncompleteRecord {
  return { type: 'incomplete', needed, available };
}

/**
 * Decodes the record that starts at `offset`. Never throws on any byte content and never allocates
 * more than the buffer holds: a length field that points past the buffer yields `'incomplete'`.
 */
export function decodeRecord(buf: Uint8Array, offset = 0): DecodeResult {
  const available = buf.length - offset;
  if (available <= 0) return incomplete(1, Math.max(available, 0));
  const marker = buf[offset]!;
  switch (marker) {
    case STORE_MARKER: {
      if (available < 13) return incomplete(13, available);
      const length = u32(buf, offset + 9);
      const size = STORE_OVERHEAD + length;
      if (available < size) return incomplete(size, available);
      const id = u64(buf, offset + 1);
      const crcAt = offset + 13 + length;
      const storedCrc = u32(buf, crcAt);
      const computedCrc = crc32(buf, offset, crcAt);
      if (storedCrc !== computedCrc) return { type: 'corrupt', marker, id, size, storedCrc, computedCrc };
      return { type: 'store', id, payload: buf.subarray(offset + 13, crcAt), legacy: false, size };
    }
    case DELETE_MARKER: {
      if (available < DELETE_RECORD_SIZE) return incomplete(DELETE_RECORD_SIZE, available);
      const id = u64(buf, offset + 1);
      const storedCrc = u32(buf, offset + 9);
      const computedCrc = crc32(buf, offset, offset + 9);
      if (storedCrc !== computedCrc) {
        return { type: 'corrupt', marker, id, size: DELETE_RECORD_SIZE, storedCrc, computedCrc };
      }
      return { type: 'delete', id, legacy: false, size: DELETE_RECORD_SIZE };
    }
    case LEGACY_STORE_MARKER: {
      if (available < LEGACY_STORE_OVERHEAD) return incomplete(LEGACY_STORE_OVERHEAD, available);
      const length = u32(buf, offset + 9);
      const size = LEGACY_STORE_OVERHEAD + length;
      if (available < size) return incomplete(size, available);
      return { type: 'store', id: u64(buf, offset + 1), payload: buf.subarray(offset + 13, offset + size), legacy: true, size };
    }
    case LEGACY_DELETE_MARKER: {
      if (available < LEGACY_DELETE_RECORD_SIZE) return incomplete(LEGACY_DELETE_RECORD_SIZE, available);
      return { type: 'delete', id: u64(buf, offset + 1), legacy: true, size: LEGACY_DELETE_RECORD_SIZE };
    }
    default:
      return { type: 'unknown', marker };
  }
}
