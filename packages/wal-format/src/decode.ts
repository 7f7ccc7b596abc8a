import { crc32 } from './crc.js';
import { RecordDecodeError } from './errors.js';
import { readU32, readU64 } from './little-endian.js';
import {
  DELETE_CRC_OFFSET,
  DELETE_MARKER,
  DELETE_RECORD_SIZE,
  LEGACY_DELETE_MARKER,
  LEGACY_DELETE_RECORD_SIZE,
  LEGACY_STORE_MARKER,
  LEGACY_STORE_OVERHEAD,
  LENGTH_FIELD_OFFSET,
  ID_OFFSET,
  PAYLOAD_OFFSET,
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

/**
 * A current record whose stored CRC does not match its bytes. `size` comes from the record's own length
 * field, which may be the damaged field, so the next record is only presumed to start `size` bytes on.
 */
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

/**
 * Throws a RecordDecodeError (a RangeError) unless `buf` is a Uint8Array and `offset` an integer position in
 * it (its end included).
 */
export function checkOffset(buf: Uint8Array, offset: number, name: 'offset' | 'start'): void {
  checkBuffer(buf, 'buffer');
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > buf.length) {
    throw new RecordDecodeError(name, `${name} ${describe(offset)} is not an integer in 0..${buf.length} (the buffer length)`);
  }
}

/** Throws a RecordDecodeError unless `buf` is a Uint8Array (a Buffer is one). */
export function checkBuffer(buf: Uint8Array, name: 'buffer' | 'chunk'): void {
  if (!((buf as unknown) instanceof Uint8Array)) throw new RecordDecodeError(name, `${name} must be a Uint8Array, got ${describe(buf)}`);
}

/** Throws a RecordDecodeError unless `baseOffset`, the file position of a buffer's first byte, is a non-negative safe integer. */
export function checkBaseOffset(baseOffset: number): void {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) {
    throw new RecordDecodeError('baseOffset', `baseOffset ${describe(baseOffset)} is not a non-negative integer file position`);
  }
}

/** Names what was passed, without calling anything of it (String() of an object could throw). */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value;
}

function incomplete(needed: number, available: number): IncompleteRecord {
  return { type: 'incomplete', needed, available };
}

/**
 * Decodes the record that starts at `offset`. Never throws on any byte content and never allocates
 * by a length field: one that points past the buffer yields `'incomplete'`. Throws a RecordDecodeError
 * (a RangeError) only when `buf` is not a Uint8Array or `offset` is not an integer in 0..buf.length.
 */
export function decodeRecord(buf: Uint8Array, offset = 0): DecodeResult {
  checkOffset(buf, offset, 'offset');
  const available = buf.length - offset;
  if (available === 0) return incomplete(1, 0);
  const marker = buf[offset] ?? 0; // `available` > 0, so the byte is there
  switch (marker) {
    case STORE_MARKER: {
      if (available < PAYLOAD_OFFSET) return incomplete(PAYLOAD_OFFSET, available);
      const length = readU32(buf, offset + LENGTH_FIELD_OFFSET);
      const size = STORE_OVERHEAD + length;
      if (available < size) return incomplete(size, available);
      const id = readU64(buf, offset + ID_OFFSET);
      const crcAt = offset + PAYLOAD_OFFSET + length;
      const storedCrc = readU32(buf, crcAt);
      const computedCrc = crc32(buf, offset, crcAt);
      if (storedCrc !== computedCrc) return { type: 'corrupt', marker, id, size, storedCrc, computedCrc };
      return { type: 'store', id, payload: buf.subarray(offset + PAYLOAD_OFFSET, crcAt), legacy: false, size };
    }
    case DELETE_MARKER: {
      if (available < DELETE_RECORD_SIZE) return incomplete(DELETE_RECORD_SIZE, available);
      const id = readU64(buf, offset + ID_OFFSET);
      const storedCrc = readU32(buf, offset + DELETE_CRC_OFFSET);
      const computedCrc = crc32(buf, offset, offset + DELETE_CRC_OFFSET);
      if (storedCrc !== computedCrc) {
        return { type: 'corrupt', marker, id, size: DELETE_RECORD_SIZE, storedCrc, computedCrc };
      }
      return { type: 'delete', id, legacy: false, size: DELETE_RECORD_SIZE };
    }
    case LEGACY_STORE_MARKER: {
      if (available < LEGACY_STORE_OVERHEAD) return incomplete(LEGACY_STORE_OVERHEAD, available);
      const length = readU32(buf, offset + LENGTH_FIELD_OFFSET);
      const size = LEGACY_STORE_OVERHEAD + length;
      if (available < size) return incomplete(size, available);
      const id = readU64(buf, offset + ID_OFFSET);
      return { type: 'store', id, payload: buf.subarray(offset + PAYLOAD_OFFSET, offset + size), legacy: true, size };
    }
    case LEGACY_DELETE_MARKER: {
      if (available < LEGACY_DELETE_RECORD_SIZE) return incomplete(LEGACY_DELETE_RECORD_SIZE, available);
      return { type: 'delete', id: readU64(buf, offset + ID_OFFSET), legacy: true, size: LEGACY_DELETE_RECORD_SIZE };
    }
    default:
      return { type: 'unknown', marker };
  }
}
