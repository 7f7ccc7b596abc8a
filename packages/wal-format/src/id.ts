import { RecordEncodeError } from './errors.js';
import { writeU32 } from './little-endian.js';
import { u64High, u64Low } from './u64.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** Checks that `id` is a u64 and returns it as a bigint; numbers must be safe integers so no precision is lost. */
export function toRecordId(id: number | bigint): bigint {
  if (typeof id === 'bigint') {
    if (id < 0n || id > U64_MAX) throw new RecordEncodeError('id', `record id ${id} is outside the u64 range 0..${U64_MAX}`);
    return id;
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw new RecordEncodeError(
      'id',
      `record id ${String(id)} is not a non-negative safe integer; pass a bigint for ids above ${Number.MAX_SAFE_INTEGER}`,
    );
  }
  return BigInt(id);
}

/**
 * Validates `id`, then writes it as a little-endian u64 at `at`. Nothing is written when the id is
 * invalid. Safe-integer numbers are split without allocating a bigint.
 */
export function writeId(buf: Uint8Array, at: number, id: number | bigint): void {
  const valid = typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : toRecordId(id);
  writeU32(buf, at, u64Low(valid));
  writeU32(buf, at + 4, u64High(valid));
}
