import { RecordEncodeError } from './errors.js';

/** Marker byte of a current store record: `0xC3 · id u64 · len u32 · payload · crc32 u32`. */
export const STORE_MARKER = 0xc3;
/** Marker byte of a current delete record: `0xC4 · id u64 · crc32 u32`. */
export const DELETE_MARKER = 0xc4;
/** Marker byte of a legacy store record (read only): `0x01 · id u64 · len u32 · payload`. */
export const LEGACY_STORE_MARKER = 0x01;
/** Marker byte of a legacy delete record (read only): `0x02 · id u64`. */
export const LEGACY_DELETE_MARKER = 0x02;

/** Bytes a current store record adds around its payload (marker, id, length, CRC). */
export const STORE_OVERHEAD = 17;
/** Bytes of a current delete record. */
export const DELETE_RECORD_SIZE = 13;
/** Bytes a legacy store record adds around its payload (marker, id, length). */
export const LEGACY_STORE_OVERHEAD = 13;
/** Bytes of a legacy delete record. */
export const LEGACY_DELETE_RECORD_SIZE = 9;
/** Offset of the id field from the start of any record. */
export const ID_OFFSET = 1;
/** Offset of the CRC field from the start of a current delete record (right after the id). */
export const DELETE_CRC_OFFSET = 9;
/** Offset of the length field from the start of a store record; VelesDB's index points here. */
export const LENGTH_FIELD_OFFSET = 9;
/** Offset of the payload from the start of a store record, current or legacy (after marker, id and length). */
export const PAYLOAD_OFFSET = 13;
/** Largest payload a record can frame: the length field is a u32. */
export const MAX_PAYLOAD_LENGTH = 0xffff_ffff;

/** Size in bytes of a current store record with a payload of `payloadLength` bytes. */
export function storeRecordSize(payloadLength: number): number {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH) {
    throw new RecordEncodeError(
      'payload',
      `payload length ${String(payloadLength)} is not an integer in 0..${MAX_PAYLOAD_LENGTH}`,
    );
  }
  return STORE_OVERHEAD + payloadLength;
}
