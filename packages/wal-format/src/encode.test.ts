import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeDelete, encodeDeleteInto, encodeStore, encodeStoreInto, frameStoreInPlace } from './encode.js';
import { RecordEncodeError } from './errors.js';
import { DELETE_RECORD_SIZE, MAX_PAYLOAD_LENGTH, STORE_OVERHEAD, storeRecordSize } from './markers.js';
import { hex, utf8 } from './test-support/bytes.js';
import { referenceCrc32 } from './test-support/reference-crc32.js';
import { deleteBytes, storeBytes } from './test-support/records.js';

/** Checks that the last four bytes are the little-endian reference CRC of everything before them. */
function expectTrailingCrc(record: Uint8Array): void {
  const body = record.subarray(0, record.length - 4);
  const stored = new DataView(record.buffer, record.byteOffset + body.length, 4).getUint32(0, true);
  expect(stored).toBe(referenceCrc32(body));
}

describe('golden vectors (written by hand from the byte table)', () => {
  it('store of id 1 with payload "hi"', () => {
    const expected = hex(`
      c3                        # marker: current store
      01 00 00 00 00 00 00 00   # id 1, u64 little-endian
      02 00 00 00               # payload length 2, u32 little-endian
      68 69                     # payload "hi"
      76 9a 5f 0b               # crc32 0x0B5F9A76 of the 15 bytes above, u32 little-endian
    `);
    expectTrailingCrc(expected);
    expect(encodeStore(1, utf8('hi'))).toEqual(expected);
    expect(encodeStore(1n, utf8('hi'))).toEqual(expected);
  });

  it('delete of id 0x0102030405060708 (the id shows the byte order)', () => {
    const expected = hex(`
      c4                        # marker: current delete
      08 07 06 05 04 03 02 01   # id, u64 little-endian
      a6 74 cc c3               # crc32 0xC3CC74A6 of the 9 bytes above
    `);
    expectTrailingCrc(expected);
    expect(encodeDelete(0x0102_0304_0506_0708n)).toEqual(expected);
  });

  it('store of id 2^53 + 1 given as a bigint keeps every bit; empty payload', () => {
    const expected = hex(`
      c3
      01 00 00 00 00 00 20 00   # 2^53 + 1: one past the largest safe integer
      00 00 00 00               # length 0, no payload bytes follow
      a9 d7 50 33               # crc32 0x3350D7A9
    `);
    expectTrailingCrc(expected);
    expect(encodeStore(2n ** 53n + 1n, new Uint8Array(0))).toEqual(expected);
  });

  it('store and delete of id 2^64 - 1', () => {
    const store = hex('c3  ff ff ff ff ff ff ff ff  02 00 00 00  00 ff  6f bd 29 10');
    const del = hex('c4  ff ff ff ff ff ff ff ff  9f 46 44 47');
    expectTrailingCrc(store);
    expectTrailingCrc(del);
    expect(encodeStore(2n ** 64n - 1n, Uint8Array.of(0x00, 0xff))).toEqual(store);
    expect(encodeDelete(2n ** 64n - 1n)).toEqual(del);
  });

  it('the largest safe-integer number id is split into words exactly', () => {
    expect(encodeDelete(Number.MAX_SAFE_INTEGER).subarray(1, 9)).toEqual(hex('ff ff ff ff ff ff 1f 00'));
    expect(encodeDelete(2 ** 32).subarray(1, 9)).toEqual(hex('00 00 00 00 01 00 00 00'));
  });
});

describe('encoder against the byte table', () => {
  it('encodes any u64 bigint id and payload exactly as framed by hand', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.uint8Array({ maxLength: 300 }), (id, payload) => {
        expect(encodeStore(id, payload)).toEqual(storeBytes(id, payload));
        expect(encodeDelete(id)).toEqual(deleteBytes(id));
      }),
    );
  });

  it('a safe-integer number id and the same bigint encode identically', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (id) => {
        expect(encodeDelete(id)).toEqual(encodeDelete(BigInt(id)));
        expect(encodeStore(id, utf8('x'))).toEqual(encodeStore(BigInt(id), utf8('x')));
      }),
    );
  });

  it('encodeStoreInto writes at the offset, returns the size and leaves other bytes alone', () => {
    const payload = utf8('payload');
    const buf = new Uint8Array(64).fill(0xee);
    const written = encodeStoreInto(buf, 5, 42, payload);
    expect(written).toBe(STORE_OVERHEAD + payload.length);
    expect(buf.subarray(5, 5 + written)).toEqual(storeBytes(42n, payload));
    expect(buf.subarray(0, 5).every((b) => b === 0xee)).toBe(true);
    expect(buf.subarray(5 + written).every((b) => b === 0xee)).toBe(true);
  });

  it('encodeDeleteInto writes at the offset, returns 13 and leaves other bytes alone', () => {
    const buf = new Uint8Array(20).fill(0xee);
    expect(encodeDeleteInto(buf, 7, 9n)).toBe(DELETE_RECORD_SIZE);
    expect(buf.subarray(7)).toEqual(deleteBytes(9n));
    expect(buf.subarray(0, 7).every((b) => b === 0xee)).toBe(true);
  });

  it('a batch of records fills one buffer exactly', () => {
    const payloads = [utf8('a'), new Uint8Array(0), utf8('ccc')];
    const buf = new Uint8Array(payloads.reduce((n, p) => n + storeRecordSize(p.length), DELETE_RECORD_SIZE));
    let at = 0;
    payloads.forEach((p, i) => (at += encodeStoreInto(buf, at, i, p)));
    at += encodeDeleteInto(buf, at, 1);
    expect(at).toBe(buf.length);
  });

  it('storeRecordSize is 17 + the payload length and rejects impossible lengths', () => {
    expect(storeRecordSize(0)).toBe(17);
    expect(storeRecordSize(4096)).toBe(4113);
    expect(storeRecordSize(MAX_PAYLOAD_LENGTH)).toBe(MAX_PAYLOAD_LENGTH + 17);
    for (const bad of [-1, 1.5, MAX_PAYLOAD_LENGTH + 1, Number.NaN]) {
      expect(() => storeRecordSize(bad)).toThrow(RecordEncodeError);
    }
  });
});

describe('encoding errors name the field', () => {
  function expectEncodeError(run: () => unknown, field: RecordEncodeError['field'], message: RegExp): void {
    let caught: unknown;
    try {
      run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RecordEncodeError);
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as RecordEncodeError).name).toBe('RecordEncodeError');
    expect((caught as RecordEncodeError).field).toBe(field);
    expect((caught as RecordEncodeError).message).toMatch(message);
  }

  const badIds: [string, unknown, RegExp][] = [
    ['negative number', -1, /record id -1 is not a non-negative safe integer/],
    ['negative bigint', -1n, /record id -1 is outside the u64 range/],
    ['non-integer', 1.5, /record id 1.5 is not/],
    ['NaN', Number.NaN, /record id NaN is not/],
    ['Infinity', Number.POSITIVE_INFINITY, /record id Infinity is not/],
    ['unsafe number 2^53', 2 ** 53, /pass a bigint for ids above 9007199254740991/],
    ['bigint above u64 max', 2n ** 64n, /record id 18446744073709551616 is outside the u64 range 0\.\.18446744073709551615/],
    ['string', '1', /record id 1 is not a non-negative safe integer/],
  ];

  it.each(badIds)('id: %s', (_label, id, message) => {
    expectEncodeError(() => encodeStore(id as number, utf8('x')), 'id', message);
    expectEncodeError(() => encodeDelete(id as number), 'id', message);
  });

  it('frameStoreInPlace around a payload already in place gives the bytes encodeStoreInto writes', () => {
    const payload = utf8('{"framed":"in place"}');
    const copied = new Uint8Array(64).fill(0x33);
    const framed = new Uint8Array(64).fill(0x33);
    framed.set(payload, 7 + 13);
    expect(frameStoreInPlace(framed, 7, 2n ** 40n, payload.length)).toBe(encodeStoreInto(copied, 7, 2n ** 40n, payload));
    expect(framed).toEqual(copied);
  });

  it('frameStoreInPlace refuses a length that is not a payload length, or that runs past the buffer, touching nothing', () => {
    const buf = new Uint8Array(32).fill(0x55);
    for (const length of [-1, 1.5, Number.NaN, 2 ** 32]) expectEncodeError(() => frameStoreInPlace(buf, 0, 1, length), 'payload', /payload length/);
    expectEncodeError(() => frameStoreInPlace(buf, 0, 1, 16), 'buffer', /does not fit/);
    expect(buf.every((b) => b === 0x55)).toBe(true);
  });

  it.each(badIds)('a bad id (%s) leaves the target buffer untouched', (_label, id) => {
    const buf = new Uint8Array(32).fill(0x55);
    expect(() => encodeStoreInto(buf, 0, id as number, utf8('x'))).toThrow(RecordEncodeError);
    expect(() => frameStoreInPlace(buf, 0, id as number, 1)).toThrow(RecordEncodeError);
    expect(() => encodeDeleteInto(buf, 3, id as number)).toThrow(RecordEncodeError);
    expect(buf.every((b) => b === 0x55)).toBe(true);
  });

  it.each([
    ['a string', 'hi', /payload must be a Uint8Array, got string/],
    ['an array', [1, 2], /payload must be a Uint8Array, got an array/],
    ['null', null, /payload must be a Uint8Array, got null/],
    ['an ArrayBuffer', new ArrayBuffer(2), /payload must be a Uint8Array, got \[object ArrayBuffer\]/],
  ])('payload: %s', (_label, payload, message) => {
    expectEncodeError(() => encodeStore(1, payload as unknown as Uint8Array), 'payload', message);
    expectEncodeError(() => encodeStoreInto(new Uint8Array(64), 0, 1, payload as unknown as Uint8Array), 'payload', message);
  });

  it('buffer too small, offset out of range or not an integer, or not a Uint8Array', () => {
    expectEncodeError(
      () => encodeStoreInto(new Uint8Array(18), 0, 1, utf8('hi')),
      'buffer',
      /a 19-byte record does not fit at offset 0 of a 18-byte buffer/,
    );
    expectEncodeError(() => encodeStoreInto(new Uint8Array(19), 1, 1, utf8('hi')), 'buffer', /at offset 1 of a 19-byte/);
    expectEncodeError(() => encodeDeleteInto(new Uint8Array(12), 0, 1), 'buffer', /a 13-byte record does not fit/);
    expectEncodeError(() => encodeDeleteInto(new Uint8Array(20), -1, 1), 'buffer', /at offset -1/);
    expectEncodeError(() => encodeDeleteInto(new Uint8Array(20), 0.5, 1), 'buffer', /at offset 0.5/);
    expectEncodeError(() => encodeDeleteInto(new ArrayBuffer(20) as unknown as Uint8Array, 0, 1), 'buffer', /buffer must be a Uint8Array/);
  });
});
