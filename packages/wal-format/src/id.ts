import { RecordEncodeError } from './errors.js';

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

/** Writes a u64 id little-endian at `at` without allocating a bigint for safe-integer numbers. */
export function writeId(view: DataView, at: number, id: number | bigint): void {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
    view.setUint32(at, id >>> 0, true);
    view.setUint32(at + 4, Math.floor(id / 0x1_0000_0000), true);
    return;
  }
  view.setBigUint64(at, toRecordId(id), true);
}
