import { describe, expect, it } from 'vitest';
import { RecordDecodeError } from './errors.js';
import type { ScanEnd, ScanEntry } from './scan.js';
import { scanBuffer, scanRecords } from './scan.js';
import { concatBytes, hex, utf8 } from './test-support/bytes.js';
import { patternBytes } from './test-support/records.js';
import { corruptStore, del, layOut, legacyStore, logWithCorruptMiddle, mixedLog, store, type PlacedRecord } from './test-support/sample-log.js';

function expectEntries(entries: ScanEntry[], records: readonly PlacedRecord[], base = 0): void {
  expect(entries.map((e) => e.offset)).toEqual(records.map((r) => base + r.offset));
  entries.forEach((entry, i) => {
    expect(entry.record).toMatchObject(records[i]!.expected);
  });
}

describe('scanBuffer', () => {
  it('walks a mixed legacy + current log to its end', () => {
    const { buf, records } = mixedLog();
    const { entries, end } = scanBuffer(buf);
    expectEntries(entries, records);
    expect(end).toEqual({ validEnd: buf.length, stopOffset: buf.length, stop: 'end', tailBytes: 0 });
  });

  it('reports a corrupt record in the middle and steps over it; validEnd is past the later valid records', () => {
    const { buf, records } = logWithCorruptMiddle();
    const { entries, end } = scanBuffer(buf);
    expectEntries(entries, records);
    expect(entries.map((e) => e.record.type)).toEqual(['store', 'store', 'corrupt', 'delete', 'store']);
    expect(end).toEqual({ validEnd: buf.length, stopOffset: buf.length, stop: 'end', tailBytes: 0 });
  });

  it('a corrupt record at the end is framed but not valid: validEnd stops before it', () => {
    const { buf, records } = layOut([store(1n, utf8('a')), del(2n), corruptStore(3n, utf8('bad'))]);
    const { entries, end } = scanBuffer(buf);
    expectEntries(entries, records);
    const lastStart = records[2]!.offset;
    expect(end).toEqual({ validEnd: lastStart, stopOffset: buf.length, stop: 'end', tailBytes: buf.length - lastStart });
  });

  it('a torn tail, cut at every byte of the last record: incomplete, stopping where that record starts', () => {
    const { buf, records } = mixedLog();
    const last = records.at(-1)!;
    for (let cut = last.offset + 1; cut < buf.length; cut++) {
      const { entries, end } = scanBuffer(buf.subarray(0, cut));
      expectEntries(entries, records.slice(0, -1));
      expect(end).toEqual({ validEnd: last.offset, stopOffset: last.offset, stop: 'incomplete', tailBytes: cut - last.offset });
    }
  });

  it('a torn record after a corrupt one: validEnd is before the corrupt record, tailBytes counts both', () => {
    const { buf, records } = layOut([store(1n, utf8('ok')), corruptStore(2n, utf8('bad')), store(3n, patternBytes(40))]);
    const cut = buf.length - 10;
    const { entries, end } = scanBuffer(buf.subarray(0, cut));
    expectEntries(entries, records.slice(0, 2));
    expect(end).toEqual({
      validEnd: records[1]!.offset,
      stopOffset: records[2]!.offset,
      stop: 'incomplete',
      tailBytes: cut - records[1]!.offset,
    });
  });

  it('an unknown marker stops the scan: nothing after it is read', () => {
    const before = layOut([legacyStore(1n, utf8('x')), store(2n, utf8('y'))]);
    const after = store(3n, utf8('never read')).bytes;
    const buf = concatBytes(before.buf, hex('00'), after);
    const { entries, end } = scanBuffer(buf);
    expectEntries(entries, before.records);
    expect(end).toEqual({
      validEnd: before.buf.length,
      stopOffset: before.buf.length,
      stop: 'unknown',
      tailBytes: 1 + after.length,
    });
  });

  it('start and baseOffset: offsets are absolute, the bytes before start are not read', () => {
    const { buf, records } = mixedLog();
    const start = records[3]!.offset;
    const base = 1_000_000;
    const { entries, end } = scanBuffer(buf, start, base);
    expectEntries(entries, records.slice(3), base);
    expect(end).toEqual({ validEnd: base + buf.length, stopOffset: base + buf.length, stop: 'end', tailBytes: 0 });
  });

  it('an empty buffer, or a start at its end, ends at once with nothing valid past the start', () => {
    expect(scanBuffer(new Uint8Array(0))).toEqual({
      entries: [],
      end: { validEnd: 0, stopOffset: 0, stop: 'end', tailBytes: 0 },
    });
    const { buf } = mixedLog();
    expect(scanBuffer(buf, buf.length, 10).end).toEqual({
      validEnd: 10 + buf.length,
      stopOffset: 10 + buf.length,
      stop: 'end',
      tailBytes: 0,
    });
  });

  it('a start outside the buffer is a RangeError', () => {
    const { buf } = mixedLog();
    expect(() => scanBuffer(buf, buf.length + 1)).toThrow(/start \d+ is not an integer in 0\.\.\d+/);
    expect(() => scanBuffer(buf, -1)).toThrow(RangeError);
  });

  it('a baseOffset that is not a non-negative integer, or a buffer that is not a Uint8Array, is a RecordDecodeError', () => {
    const { buf } = mixedLog();
    for (const baseOffset of [Number.NaN, -1, 1.5, Infinity, 2 ** 53]) {
      expect(() => scanBuffer(buf, 0, baseOffset)).toThrow(RecordDecodeError);
      expect(() => scanBuffer(buf, 0, baseOffset)).toThrow(`baseOffset ${baseOffset} is not a non-negative integer file position`);
    }
    expect(() => scanBuffer('abc' as unknown as Uint8Array)).toThrow('buffer must be a Uint8Array, got the string "abc"');
  });
});

describe('scanRecords', () => {
  it('yields entries lazily and returns the ScanEnd as the generator result', () => {
    const { buf, records } = logWithCorruptMiddle();
    const it = scanRecords(buf);
    const first = it.next();
    expect(first).toMatchObject({ done: false, value: { offset: 0, record: records[0]!.expected } });
    let result: IteratorResult<ScanEntry, ScanEnd>;
    let count = 1;
    while (!(result = it.next()).done) count++;
    expect(count).toBe(records.length);
    expect(result.value).toEqual({ validEnd: buf.length, stopOffset: buf.length, stop: 'end', tailBytes: 0 });
  });
});
