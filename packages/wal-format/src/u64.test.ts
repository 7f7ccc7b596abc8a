import { describe, expect, it } from 'vitest';
import { SAFE_HIGH_WORD_LIMIT, TWO_POW_32, u64High, u64Low } from './u64.js';

describe('u64Low / u64High', () => {
  it.each([
    [0, 0, 0],
    [0xffff_ffff, 0xffff_ffff, 0],
    [TWO_POW_32, 0, 1],
    [Number.MAX_SAFE_INTEGER, 0xffff_ffff, SAFE_HIGH_WORD_LIMIT - 1],
  ])('split the number %d into its words', (value, low, high) => {
    expect([u64Low(value), u64High(value)]).toEqual([low, high]);
    expect([u64Low(BigInt(value)), u64High(BigInt(value))]).toEqual([low, high]);
  });

  it('split a bigint above 2^53 - 1, up to the largest u64', () => {
    expect([u64Low(0xffff_ffff_ffff_ffffn), u64High(0xffff_ffff_ffff_ffffn)]).toEqual([0xffff_ffff, 0xffff_ffff]);
    expect([u64Low(0x0020_0000_0000_0001n), u64High(0x0020_0000_0000_0001n)]).toEqual([1, SAFE_HIGH_WORD_LIMIT]);
  });
});
