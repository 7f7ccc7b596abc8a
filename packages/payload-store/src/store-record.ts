import { encodeStoreInto, LENGTH_FIELD_OFFSET } from '@kilndb/wal-format';
import type { IndexKey } from './id-index.js';
import { writePayload } from './payload-json.js';

/** Where a store record's payload starts: after the marker, the id and the length field. */
const PAYLOAD_OFFSET = LENGTH_FIELD_OFFSET + 4;

/**
 * Writes the store record of `text` (`length` UTF-8 bytes) at `at`: the JSON is encoded straight into its
 * place in the record, then wal-format's encoder frames it there (its copy of the payload onto itself costs
 * a memmove), so the record layout has one implementation and the payload no intermediate buffer.
 */
export function encodeStoreRecord(buf: Uint8Array, at: number, key: IndexKey, text: string, length: number): number {
  const payload = buf.subarray(at + PAYLOAD_OFFSET, at + PAYLOAD_OFFSET + length);
  writePayload(text, payload);
  return encodeStoreInto(buf, at, key, payload);
}
