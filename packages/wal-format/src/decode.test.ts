import { describe, expect, it } from 'vitest';
import { decodeRecord, type DecodeResult } from './decode.js';
import { encodeDelete, encodeStore } from './encode.js';
import { RecordDecodeError } from './errors.js';
import { DELETE_MARKER, LEGACY_DELETE_MARKER, LEGACY_STORE_MARKER, STORE_MARKER } from './markers.js';
import { concatBytes, flipBit, hex, utf8 } from './test-support/bytes.js';
import { legacyDeleteBytes, legacyStoreBytes, patternBytes } from './test-support/records.js';

describe('golden vectors decode (written by hand)', () => {
  it('current store of id 1 with "hi"; the payload is a view, not a copy', () => {
    const buf = hex('c3  01 00 00 00 00 00 00 00  02 00 00 00  68 69  76 9a 5f 0b');
    const record = decodeRecord(buf);
    expect(record).toEqual({ type: 'store', id: 1n, payload: utf8('hi'), legacy: false, size: 19 });
    if (record.type !== 'store') throw new Error('unreachable');
    expect(record.payload.buffer).toBe(buf.buffer);
    expect(record.payload.byteOffset).toBe(13);
  });

  it('current delete', () => {
    expect(decodeRecord(hex('c4  08 07 06 05 04 03 02 01  a6 74 cc c3'))).toEqual({
      type: 'delete',
      id: 0x0102_0304_0506_0708n,
      legacy: false,
      size: 13,
    });
  });

  it('legacy store: no CRC, 13 + length bytes', () => {
    const buf = hex(`
      01                        # marker: legacy store
      05 00 00 00 00 00 00 00   # id 5
      03 00 00 00               # length 3
      61 62 63                  # "abc"
    `);
    expect(decodeRecord(buf)).toEqual({ type: 'store', id: 5n, payload: utf8('abc'), legacy: true, size: 16 });
  });

  it('legacy delete: 9 bytes', () => {
    expect(decodeRecord(hex('02  ff ff ff ff ff ff ff ff'))).toEqual({
      type: 'delete',
      id: 2n ** 64n - 1n,
      legacy: true,
      size: 9,
    });
  });

  it('ids above 2^53 come back as exact bigints', () => {
    expect(decodeRecord(hex('c3  01 00 00 00 00 00 20 00  00 00 00 00  a9 d7 50 33'))).toMatchObject({
      type: 'store',
      id: 9_007_199_254_740_993n,
      size: 17,
    });
    expect(decodeRecord(hex('c4  ff ff ff ff ff ff ff ff  9f 46 44 47'))).toMatchObject({ type: 'delete', id: 2n ** 64n - 1n });
    expect(decodeRecord(hex('02  00 00 00 00 00 00 20 00'))).toMatchObject({ id: 2n ** 53n });
    expect(decodeRecord(hex('02  00 00 00 00 ff ff 1f 00'))).toMatchObject({ id: 0x1f_ffff_0000_0000n });
  });

  it('decodes at an offset and ignores bytes after the record', () => {
    const buf = concatBytes(hex('aa bb'), encodeStore(7, utf8('x')), hex('cc'));
    expect(decodeRecord(buf, 2)).toEqual({ type: 'store', id: 7n, payload: utf8('x'), legacy: false, size: 18 });
  });

  it('a CRC mismatch is reported as corrupt with both CRCs, the id and the framed size', () => {
    const buf = hex('c3  01 00 00 00 00 00 00 00  02 00 00 00  68 69  00 00 00 00');
    expect(decodeRecord(buf)).toEqual({
      type: 'corrupt',
      marker: STORE_MARKER,
      id: 1n,
      size: 19,
      storedCrc: 0,
      computedCrc: 0x0b5f_9a76,
    });
    expect(decodeRecord(hex('c4  08 07 06 05 04 03 02 01  a6 74 cc c4'))).toEqual({
      type: 'corrupt',
      marker: DELETE_MARKER,
      id: 0x0102_0304_0506_0708n,
      size: 13,
      storedCrc: 0xc4cc_74a6,
      computedCrc: 0xc3cc_74a6,
    });
  });

  it('every other marker byte is unknown', () => {
    const known = new Set([STORE_MARKER, DELETE_MARKER, LEGACY_STORE_MARKER, LEGACY_DELETE_MARKER]);
    for (let marker = 0; marker < 256; marker++) {
      if (known.has(marker)) continue;
      expect(decodeRecord(concatBytes(Uint8Array.of(marker), new Uint8Array(40)))).toEqual({ type: 'unknown', marker });
    }
  });

  it('an offset at the end of the buffer is incomplete; one outside it, negative or fractional is a RangeError', () => {
    const buf = encodeDelete(1);
    expect(decodeRecord(buf, 13)).toEqual({ type: 'incomplete', needed: 1, available: 0 });
    expect(decodeRecord(new Uint8Array(0))).toEqual({ type: 'incomplete', needed: 1, available: 0 });
    for (const offset of [-1, 14, 0.5, Number.NaN]) {
      expect(() => decodeRecord(buf, offset)).toThrow(RangeError);
      expect(() => decodeRecord(buf, offset)).toThrow(/offset .* is not an integer in 0\.\.13/);
    }
  });

  it('refuses a buffer that is not a Uint8Array with a RecordDecodeError naming what it got', () => {
    for (const [bad, got] of [
      ['abc', 'the string "abc"'],
      [[0xc4, 1, 2], 'an array'],
      [null, 'null'],
      [undefined, 'undefined'],
      [new ArrayBuffer(13), '[object ArrayBuffer]'],
    ] as const) {
      const error = catchError(() => decodeRecord(bad as unknown as Uint8Array));
      expect(error).toBeInstanceOf(RecordDecodeError);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as RecordDecodeError).field).toBe('buffer');
      expect((error as Error).message).toBe(`buffer must be a Uint8Array, got ${got}`);
    }
    // A Buffer is a Uint8Array.
    expect(decodeRecord(Buffer.from(encodeDelete(3))).type).toBe('delete');
  });
});

/** One record of each kind, with payload sizes that matter (empty, small, spanning the CRC switch-over, 4 KiB). */
const samples: { name: string; bytes: Uint8Array; headerSize: number }[] = [
  { name: 'current store, empty payload', bytes: encodeStore(3, new Uint8Array(0)), headerSize: 13 },
  { name: 'current store, 5 bytes', bytes: encodeStore(2n ** 60n, utf8('hello')), headerSize: 13 },
  { name: 'current store, 100 bytes', bytes: encodeStore(77, patternBytes(100)), headerSize: 13 },
  { name: 'current store, 4 KiB', bytes: encodeStore(1234, patternBytes(4096)), headerSize: 13 },
  { name: 'current delete', bytes: encodeDelete(2n ** 64n - 1n), headerSize: 13 },
  { name: 'legacy store, empty payload', bytes: legacyStoreBytes(8n, new Uint8Array(0)), headerSize: 13 },
  { name: 'legacy store, 40 bytes', bytes: legacyStoreBytes(9n, patternBytes(40)), headerSize: 13 },
  { name: 'legacy delete', bytes: legacyDeleteBytes(10n), headerSize: 9 },
];

describe('every truncation point is incomplete', () => {
  it.each(samples)('$name', ({ bytes, headerSize }) => {
    for (let cut = 0; cut < bytes.length; cut++) {
      const needed = cut === 0 ? 1 : cut < headerSize ? headerSize : bytes.length;
      expect(decodeRecord(bytes.subarray(0, cut))).toEqual({ type: 'incomplete', needed, available: cut });
      // The same cut seen at an offset inside a larger buffer.
      expect(decodeRecord(concatBytes(hex('00 00'), bytes.subarray(0, cut)), 2)).toEqual({
        type: 'incomplete',
        needed,
        available: cut,
      });
    }
    expect(decodeRecord(bytes).type).not.toBe('incomplete');
  });
});

describe('a length field of 4 GiB on a 20-byte buffer', () => {
  it.each([
    ['current store', 0xc3, 0xffff_ffff + 17],
    ['legacy store', 0x01, 0xffff_ffff + 13],
  ])('%s: incomplete at once, without allocating by the length', (_name, marker, needed) => {
    const buf = concatBytes(Uint8Array.of(marker), new Uint8Array(8), hex('ff ff ff ff'), patternBytes(7));
    expect(buf.length).toBe(20);
    const before = process.memoryUsage().arrayBuffers;
    const result = decodeRecord(buf);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(result).toEqual({ type: 'incomplete', needed, available: 20 });
    expect(grown).toBeLessThan(1 << 20);
  });
});

describe('single-bit flips', () => {
  /*
   * What is asserted, for every bit of a current record (decoded alone, and with a valid record after it
   * so a changed length has bytes to land in):
   *  - a flip in the marker byte gives 'unknown' with the flipped byte. No single flip of 0xC3 or 0xC4
   *    reaches another marker (0xC3 ^ 0xC4 = 0x07; 0x01 and 0x02 are further still), which is checked.
   *  - a flip in the id, payload or CRC gives 'corrupt', with the record's true size;
   *  - a flip in the length gives 'corrupt' or 'incomplete';
   *  - so never a store or delete, current or legacy, and never an exception.
   * A legacy record has no CRC, so a flip past its marker may yield a legacy record whose meaning
   * changed; asserted there: marker flips give 'unknown', other flips give a legacy record or
   * 'incomplete' (a longer length), never a current record and never an exception.
   */
  const known = new Set([STORE_MARKER, DELETE_MARKER, LEGACY_STORE_MARKER, LEGACY_DELETE_MARKER]);
  const current = samples.filter((s) => !s.name.startsWith('legacy') && !s.name.includes('4 KiB'));
  const legacy = samples.filter((s) => s.name.startsWith('legacy'));

  function region(bit: number, record: Uint8Array): 'marker' | 'id' | 'length' | 'payload' | 'crc' {
    const byte = bit >> 3;
    if (byte === 0) return 'marker';
    if (byte < 9) return 'id';
    if (record[0] === DELETE_MARKER) return 'crc';
    if (byte < 13) return 'length';
    return byte < record.length - 4 ? 'payload' : 'crc';
  }

  it('no single flip of a current marker byte is another known marker', () => {
    for (const marker of [STORE_MARKER, DELETE_MARKER, LEGACY_STORE_MARKER, LEGACY_DELETE_MARKER]) {
      for (let bit = 0; bit < 8; bit++) expect(known.has(marker ^ (1 << bit))).toBe(false);
    }
  });

  it.each(current)('current record, $name: every bit', ({ bytes }) => {
    const follower = encodeStore(99, utf8('next record'));
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      for (const tail of [new Uint8Array(0), follower]) {
        const flipped = concatBytes(flipBit(bytes, bit), tail);
        let result: DecodeResult | undefined;
        expect(() => (result = decodeRecord(flipped))).not.toThrow();
        switch (region(bit, bytes)) {
          case 'marker':
            expect(result).toEqual({ type: 'unknown', marker: flipped[0] });
            break;
          case 'id':
          case 'payload':
          case 'crc':
            expect(result).toMatchObject({ type: 'corrupt', size: bytes.length });
            break;
          case 'length':
            expect(['corrupt', 'incomplete']).toContain(result?.type);
            break;
        }
      }
    }
  });

  it('a 4 KiB store: every bit past the marker gives corrupt, or incomplete for length bits', () => {
    const bytes = samples.find((s) => s.name.includes('4 KiB'))!.bytes;
    for (let bit = 8; bit < bytes.length * 8; bit++) {
      const result = decodeRecord(flipBit(bytes, bit));
      if (region(bit, bytes) === 'length') expect(['corrupt', 'incomplete']).toContain(result.type);
      else expect(result).toMatchObject({ type: 'corrupt', size: bytes.length, marker: STORE_MARKER });
    }
  });

  it.each(legacy)('legacy record, $name: every bit', ({ bytes }) => {
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = flipBit(bytes, bit);
      let result: DecodeResult | undefined;
      expect(() => (result = decodeRecord(flipped))).not.toThrow();
      if (bit < 8) expect(result).toEqual({ type: 'unknown', marker: flipped[0] });
      else if (result?.type === 'incomplete') expect(region(bit, bytes)).toBe('length');
      else expect(result).toMatchObject({ legacy: true, type: bytes[0] === LEGACY_STORE_MARKER ? 'store' : 'delete' });
    }
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
