import { describe, expect, it } from 'vitest';
import { isAllZero } from './zero-tail.js';

describe('isAllZero', () => {
  it('is true for no bytes and for zeros across several 64 KiB comparison chunks', () => {
    expect(isAllZero(new Uint8Array(0))).toBe(true);
    expect(isAllZero(new Uint8Array(200 * 1024 + 3))).toBe(true);
  });

  it('finds one non-zero byte anywhere, including the last byte of a chunk and the last byte of all', () => {
    const size = 200 * 1024 + 3;
    for (const at of [0, 64 * 1024 - 1, 64 * 1024, 128 * 1024 + 7, size - 1]) {
      const bytes = new Uint8Array(size);
      bytes[at] = 1;
      expect(isAllZero(bytes), `a 1 at byte ${at}`).toBe(false);
    }
  });

  it('reads a view over a larger buffer only within the view', () => {
    const buffer = new Uint8Array(100).fill(7);
    buffer.fill(0, 40, 60);
    expect(isAllZero(buffer.subarray(40, 60))).toBe(true);
    expect(isAllZero(buffer.subarray(39, 60))).toBe(false);
  });
});
