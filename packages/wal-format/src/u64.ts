/** 2^32: a u64's high word counts in these. */
export const TWO_POW_32 = 0x1_0000_0000;

/** The smallest high word of a u64 above 2^53 - 1: below it, `high * 2^32 + low` is a safe integer. */
export const SAFE_HIGH_WORD_LIMIT = 0x20_0000;

/**
 * The low 32 bits of a u64, for little-endian writes as two u32 words (low first). `value` is a non-negative
 * safe integer or a bigint in the u64 range; callers check that, this does not.
 */
export function u64Low(value: number | bigint): number {
  return typeof value === 'number' ? value >>> 0 : Number(value & 0xffff_ffffn);
}

/** The high 32 bits of a u64 (see `u64Low`); a number needs no bigint for it. */
export function u64High(value: number | bigint): number {
  return typeof value === 'number' ? Math.floor(value / TWO_POW_32) : Number(value >> 32n);
}
