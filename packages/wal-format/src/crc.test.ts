import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc.js';
import { utf8 } from './test-support/bytes.js';
import { referenceCrc32 } from './test-support/reference-crc32.js';

describe('crc32', () => {
  it('the bitwise reference gives the published CRC-32/IEEE check value', () => {
    expect(referenceCrc32(utf8('123456789'))).toBe(0xcbf4_3926);
  });

  it('matches the reference at every length 0..300 (both the table and the zlib path) and at an offset', () => {
    const data = Uint8Array.from({ length: 310 }, (_, i) => (i * 197 + 3) & 0xff);
    for (let length = 0; length <= 300; length++) {
      for (const start of [0, 7]) {
        expect(crc32(data, start, start + length)).toBe(referenceCrc32(data.subarray(start, start + length)));
      }
    }
  });

  it('matches the reference on arbitrary bytes and ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length === start ? 0 : b % (bytes.length - start + 1));
        expect(crc32(bytes, start, end)).toBe(referenceCrc32(bytes.subarray(start, end)));
      }),
    );
  });

  it('covers the whole array by default', () => {
    expect(crc32(utf8('123456789'))).toBe(0xcbf4_3926);
  });

  it.each([
    [-1, 4],
    [2, 1],
    [0, 10],
    [0.5, 3],
  ])('rejects the range %d..%d of a 9-byte array with a RangeError', (start, end) => {
    expect(() => crc32(utf8('123456789'), start, end)).toThrow(RangeError);
  });
});
