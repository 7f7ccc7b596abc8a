import { toRecordId } from '@kilndb/wal-format';
import type { IndexKey } from './id-index.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Checks that `id` is a u64 (a non-negative safe-integer number or a bigint up to 2^64 - 1; anything else
 * throws wal-format's RecordEncodeError naming the id) and returns its one key form: a number up to
 * 2^53 - 1, a bigint above. So `5` and `5n` are the same id.
 */
export function toIndexKey(id: number | bigint): IndexKey {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  return fromRecordId(toRecordId(id));
}

/** The key of an id read from a record (always a valid u64). */
export function fromRecordId(id: bigint): IndexKey {
  return id <= MAX_SAFE ? Number(id) : id;
}
