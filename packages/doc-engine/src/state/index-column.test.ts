import { describe, expect, it } from 'vitest';
import { IndexColumn, encodeIndexColumn, fieldRows } from './index-column.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/[\s|]/g, ''), 'hex');
const header = '{"field":"a.b","docs":3,"values":["x"]}';

/** Field "a.b" over 3 documents: "x" (_seq 1), missing (_seq 2), an array (_seq 3); laid out by hand from FORMAT.md. */
const GOLDEN = Buffer.concat([
  hex('58 | 27000000'),
  Buffer.from(header),
  hex('00000000 | ffffffff | feffffff'),
  hex('000000000000f03f | 0000000000000040 | 0000000000000840'),
]);

describe('index entries', () => {
  it('encode to the documented bytes and decode back to the same rows', () => {
    const read = fieldRows('a.b');
    const rows = [read({ _seq: 1, a: { b: 'x' } }), read({ _seq: 2, a: {} }), read({ _seq: 3, a: { b: [1] } })];
    expect(Buffer.from(encodeIndexColumn('a.b', 3, rows)).equals(GOLDEN)).toBe(true);
    const column = IndexColumn.decode(GOLDEN, 0, GOLDEN.length);
    if (typeof column === 'string') throw new Error(column);
    expect([0, 1, 2].map((row) => column.row(row))).toEqual([
      { value: 'x', seq: 1 },
      { value: undefined, seq: 2 },
      { value: [], seq: 3 },
    ]);
    // A stand-in reads on the field as the document did, through the same reader an index uses.
    expect([0, 1, 2].map((row) => read(column.standIn(row, `k${row}`)))).toEqual([rows[0], rows[1], { value: [], seq: 3 }]);
  });

  it('say what is wrong with a damaged entry instead of decoding it', () => {
    const problem = (bytes: Buffer): string => {
      const decoded = IndexColumn.decode(bytes, 0, bytes.length);
      return typeof decoded === 'string' ? decoded : 'decoded';
    };
    expect(problem(GOLDEN.subarray(0, 3))).toBe('the entry is shorter than its header length');
    expect(problem(GOLDEN.subarray(0, 20))).toBe('the header length runs past the entry');
    expect(problem(GOLDEN.subarray(0, GOLDEN.length - 1))).toBe('the rows take 35 bytes, not 12 per each of 3 documents');
    const badRef = Buffer.from(GOLDEN);
    badRef.writeUInt32LE(1, 5 + header.length);
    expect(problem(badRef)).toBe('row 0 refers to value 1 of 1');
    const badSeq = Buffer.from(GOLDEN);
    badSeq.writeDoubleLE(0.5, GOLDEN.length - 8);
    expect(problem(badSeq)).toBe('row 2 has no integer _seq');
    const badHeader = Buffer.from(GOLDEN);
    badHeader.write('[', 5);
    expect(problem(badHeader)).toBe('the header is not JSON');
  });
});
