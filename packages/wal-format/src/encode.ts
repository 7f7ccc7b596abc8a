import { crc32 } from './crc.js';
import { RecordEncodeError } from './errors.js';
import { toRecordId, writeId } from './id.js';
import { writeU32 } from './little-endian.js';
import {
  DELETE_CRC_OFFSET,
  DELETE_MARKER,
  DELETE_RECORD_SIZE,
  ID_OFFSET,
  LENGTH_FIELD_OFFSET,
  MAX_PAYLOAD_LENGTH,
  PAYLOAD_OFFSET,
  STORE_MARKER,
  STORE_OVERHEAD,
} from './markers.js';

function checkPayload(payload: Uint8Array): void {
  if (!((payload as unknown) instanceof Uint8Array)) {
    throw new RecordEncodeError('payload', `payload must be a Uint8Array, got ${describe(payload)}`);
  }
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new RecordEncodeError(
      'payload',
      `payload of ${payload.length} bytes exceeds the record limit of ${MAX_PAYLOAD_LENGTH} bytes (4 GiB - 1)`,
    );
  }
}

function checkRoom(buf: Uint8Array, offset: number, size: number): void {
  if (!((buf as unknown) instanceof Uint8Array)) {
    throw new RecordEncodeError('buffer', `buffer must be a Uint8Array, got ${describe(buf)}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > buf.length) {
    throw new RecordEncodeError(
      'buffer',
      `a ${size}-byte record does not fit at offset ${String(offset)} of a ${buf.length}-byte buffer`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value;
}

/**
 * Encodes a current store record into `buf` at `offset` and returns the bytes written (17 + payload length).
 * Lets a batch of records share one buffer and become one write. On a RecordEncodeError `buf` is unchanged.
 */
export function encodeStoreInto(buf: Uint8Array, offset: number, id: number | bigint, payload: Uint8Array): number {
  checkPayload(payload);
  checkRoom(buf, offset, STORE_OVERHEAD + payload.length);
  // The id is validated before any byte is written, so a bad id leaves the buffer untouched.
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) toRecordId(id);
  buf.set(payload, offset + PAYLOAD_OFFSET);
  return frameStoreInPlace(buf, offset, id, payload.length);
}

/**
 * Frames the store record whose payload of `payloadLength` bytes is already in `buf` at `offset + 13`:
 * writes the marker, id and length before it and the CRC after it, and returns the record's size
 * (17 + payload length). Lets a caller write payloads straight into a shared buffer instead of building
 * each apart and copying it in. On a RecordEncodeError `buf` is unchanged.
 */
export function frameStoreInPlace(buf: Uint8Array, offset: number, id: number | bigint, payloadLength: number): number {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH) {
    throw new RecordEncodeError('payload', `payload length ${String(payloadLength)} is not an integer in 0..${MAX_PAYLOAD_LENGTH} (4 GiB - 1)`);
  }
  const size = STORE_OVERHEAD + payloadLength;
  checkRoom(buf, offset, size);
  writeId(buf, offset + ID_OFFSET, id);
  buf[offset] = STORE_MARKER;
  writeU32(buf, offset + LENGTH_FIELD_OFFSET, payloadLength);
  const crcAt = offset + PAYLOAD_OFFSET + payloadLength;
  writeU32(buf, crcAt, crc32(buf, offset, crcAt));
  return size;
}

/** Encodes a current delete record into `buf` at `offset` and returns the bytes written (13). */
export function encodeDeleteInto(buf: Uint8Array, offset: number, id: number | bigint): number {
  checkRoom(buf, offset, DELETE_RECORD_SIZE);
  writeId(buf, offset + ID_OFFSET, id);
  buf[offset] = DELETE_MARKER;
  writeU32(buf, offset + DELETE_CRC_OFFSET, crc32(buf, offset, offset + DELETE_CRC_OFFSET));
  return DELETE_RECORD_SIZE;
}

/** Encodes a current store record: `0xC3 · id u64 · len u32 · payload · crc32 u32`. */
export function encodeStore(id: number | bigint, payload: Uint8Array): Uint8Array {
  checkPayload(payload);
  const buf = new Uint8Array(STORE_OVERHEAD + payload.length);
  encodeStoreInto(buf, 0, id, payload);
  return buf;
}

/** Encodes a current delete record: `0xC4 · id u64 · crc32 u32`. */
export function encodeDelete(id: number | bigint): Uint8Array {
  const buf = new Uint8Array(DELETE_RECORD_SIZE);
  encodeDeleteInto(buf, 0, id);
  return buf;
}
