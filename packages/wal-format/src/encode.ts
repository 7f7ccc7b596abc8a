import { crc32 } from './crc.js';
import { RecordEncodeError } from './errors.js';
import { writeId } from './id.js';
import { DELETE_MARKER, DELETE_RECORD_SIZE, MAX_PAYLOAD_LENGTH, STORE_MARKER, STORE_OVERHEAD } from './markers.js';

function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function checkPayload(payload: Uint8Array): void {
  if (!(payload instanceof Uint8Array)) throw new RecordEncodeError('payload', 'payload must be a Uint8Array');
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new RecordEncodeError(
      'payload',
      `payload of ${payload.length} bytes exceeds the record limit of ${MAX_PAYLOAD_LENGTH} bytes (4 GiB - 1)`,
    );
  }
}

function checkRoom(buf: Uint8Array, offset: number, size: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + size > buf.length) {
    throw new RecordEncodeError(
      'buffer',
      `a ${size}-byte record does not fit at offset ${offset} of a ${buf.length}-byte buffer`,
    );
  }
}

/**
 * Encodes a current store record into `buf` at `offset` and returns the bytes written (17 + payload length).
 * Lets a batch of records share one buffer and become one write.
 */
export function encodeStoreInto(buf: Uint8Array, offset: number, id: number | bigint, payload: Uint8Array): number {
  checkPayload(payload);
  const size = STORE_OVERHEAD + payload.length;
  checkRoom(buf, offset, size);
  const view = viewOf(buf);
  buf[offset] = STORE_MARKER;
  writeId(view, offset + 1, id);
  view.setUint32(offset + 9, payload.length, true);
  buf.set(payload, offset + 13);
  view.setUint32(offset + 13 + payload.length, crc32(buf, offset, offset + 13 + payload.length), true);
  return size;
}

/** Encodes a current delete record into `buf` at `offset` and returns the bytes written (13). */
export function encodeDeleteInto(buf: Uint8Array, offset: number, id: number | bigint): number {
  checkRoom(buf, offset, DELETE_RECORD_SIZE);
  const view = viewOf(buf);
  buf[offset] = DELETE_MARKER;
  writeId(view, offset + 1, id);
  view.setUint32(offset + 9, crc32(buf, offset, offset + 9), true);
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
