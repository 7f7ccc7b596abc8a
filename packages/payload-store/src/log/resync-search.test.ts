import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crcOfRange } from './resync-search.js';

describe('crcOfRange', () => {
  it('gives the CRC-32 of the bytes after a prefix from the CRCs of the prefix and of the whole', () => {
    const bytes = randomBytes(70_000);
    for (const [from, to] of [[0, 0], [0, 13], [5, 5], [1, 2], [17, 4113], [1000, 70_000], [69_999, 70_000], [3, 65_539]] as const) {
      const before = crc32(bytes.subarray(0, from));
      const through = crc32(bytes.subarray(0, to));
      expect(crcOfRange(before, through, to - from), `${from}..${to}`).toBe(crc32(bytes.subarray(from, to)));
    }
  });
});
