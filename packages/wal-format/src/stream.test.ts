import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeStore } from './encode.js';
import { RecordDecodeError } from './errors.js';
import { scanBuffer, type ScanEnd, type ScanEntry } from './scan.js';
import { decodeRecordStream, RecordStreamDecoder } from './stream.js';
import { concatBytes, hex, utf8 } from './test-support/bytes.js';
import { patternBytes } from './test-support/records.js';
import { corruptStore, del, layOut, legacyDel, legacyStore, logWithCorruptMiddle, mixedLog, store } from './test-support/sample-log.js';

function decodeChunks(chunks: readonly Uint8Array[], baseOffset = 0): { entries: ScanEntry[]; end: ScanEnd } {
  const decoder = new RecordStreamDecoder(baseOffset);
  const entries = chunks.flatMap((chunk) => decoder.push(chunk));
  return { entries, end: decoder.finish() };
}

/** Cuts `buf` at the given offsets (any order, repeats give empty chunks). */
function cutAt(buf: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), buf.length];
  return sorted.slice(1).map((end, i) => buf.subarray(sorted[i], end));
}

const complete = mixedLog().buf;
const withCorrupt = logWithCorruptMiddle().buf;
const torn = complete.subarray(0, complete.length - 9);
const unknownStop = concatBytes(complete.subarray(0, 60), hex('7f'), encodeStore(1, utf8('after')));
const buffers = { complete, withCorrupt, torn, unknownStop, tornAfterCorrupt: withCorrupt.subarray(0, withCorrupt.length - 3) };

describe('RecordStreamDecoder gives what scanBuffer gives', () => {
  it.each(Object.entries(buffers))('%s: split into two chunks at every offset', (_name, buf) => {
    const expected = scanBuffer(buf, 0, 500);
    for (let cut = 0; cut <= buf.length; cut++) {
      expect(decodeChunks(cutAt(buf, [cut]), 500)).toEqual(expected);
    }
  });

  it.each(Object.entries(buffers))('%s: one byte per chunk', (_name, buf) => {
    expect(decodeChunks(cutAt(buf, Array.from({ length: buf.length }, (_, i) => i)))).toEqual(scanBuffer(buf));
  });

  it('random multi-chunk splits, empty chunks included', () => {
    const all = Object.values(buffers);
    fc.assert(
      fc.property(
        fc.nat(all.length - 1),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.nat(1000),
        (which, rawCuts, base) => {
          const buf = all[which]!;
          const cuts = rawCuts.map((c) => c % (buf.length + 1));
          expect(decodeChunks(cutAt(buf, cuts), base)).toEqual(scanBuffer(buf, 0, base));
        },
      ),
    );
  });

  it('random logs of random records, randomly split', () => {
    const part = fc.oneof(
      fc.record({ id: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), payload: fc.uint8Array({ maxLength: 200 }) }).map((r) => store(r.id, r.payload)),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((id) => del(id)),
      fc.record({ id: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), payload: fc.uint8Array({ maxLength: 200 }) }).map((r) => legacyStore(r.id, r.payload)),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((id) => legacyDel(id)),
      fc.uint8Array({ maxLength: 50 }).map((p) => corruptStore(7n, concatBytes(Uint8Array.of(0), p))),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 20 }), fc.nat(), (parts, rawCuts, tear) => {
        const { buf: whole, records } = layOut(parts);
        const buf = whole.subarray(0, whole.length - (whole.length === 0 ? 0 : tear % Math.min(whole.length, 30)));
        const expected = scanBuffer(buf);
        if (buf.length === whole.length) expect(expected.entries).toHaveLength(records.length);
        expect(decodeChunks(cutAt(buf, rawCuts.map((c) => c % (buf.length + 1))))).toEqual(expected);
      }),
    );
  });
});

describe('RecordStreamDecoder details', () => {
  it('a 4 KiB record spread over 1-byte chunks completes on its last byte only', () => {
    const record = encodeStore(5, patternBytes(4096));
    const decoder = new RecordStreamDecoder();
    for (let i = 0; i < record.length - 1; i++) expect(decoder.push(record.subarray(i, i + 1))).toEqual([]);
    expect(decoder.push(record.subarray(record.length - 1))).toEqual([
      { offset: 0, record: { type: 'store', id: 5n, payload: patternBytes(4096), legacy: false, size: record.length } },
    ]);
    expect(decoder.finish()).toEqual({ validEnd: record.length, stopOffset: record.length, stop: 'end', tailBytes: 0 });
  });

  it('empty chunks change nothing, and an empty stream ends at once', () => {
    expect(decodeChunks([], 7)).toEqual({ entries: [], end: { validEnd: 7, stopOffset: 7, stop: 'end', tailBytes: 0 } });
    expect(decodeChunks([new Uint8Array(0)], 7)).toEqual(decodeChunks([], 7));
    const empty = new Uint8Array(0);
    const { buf } = mixedLog();
    const chunks = cutAt(buf, [0, 0, 30, 30, buf.length]);
    expect(chunks.filter((c) => c.length === 0).length).toBeGreaterThanOrEqual(3);
    expect(decodeChunks([empty, ...chunks, empty])).toEqual(scanBuffer(buf));
  });

  it('keeps its own copy of carried bytes, so the caller may reuse one read buffer', () => {
    const { buf } = logWithCorruptMiddle();
    const readBuffer = new Uint8Array(7);
    const decoder = new RecordStreamDecoder();
    const seen: { offset: number; type: string; payload?: number[] }[] = [];
    for (let at = 0; at < buf.length; at += readBuffer.length) {
      const n = Math.min(readBuffer.length, buf.length - at);
      readBuffer.set(buf.subarray(at, at + n));
      for (const { offset, record } of decoder.push(readBuffer.subarray(0, n))) {
        seen.push({ offset, type: record.type, ...(record.type === 'store' ? { payload: [...record.payload] } : {}) });
      }
      readBuffer.fill(0xaa); // the next read overwrites the buffer
    }
    const expected = scanBuffer(buf).entries.map(({ offset, record }) => ({
      offset,
      type: record.type,
      ...(record.type === 'store' ? { payload: [...record.payload] } : {}),
    }));
    expect(seen).toEqual(expected);
    expect(decoder.finish()).toEqual(scanBuffer(buf).end);
  });

  it('a 4 GiB length header does not make it gather or allocate: it only holds the bytes pushed', () => {
    const header = concatBytes(hex('c3'), new Uint8Array(8), hex('ff ff ff ff'), patternBytes(7));
    const decoder = new RecordStreamDecoder();
    const before = process.memoryUsage().arrayBuffers;
    expect(decoder.push(header)).toEqual([]);
    for (let i = 0; i < 100; i++) expect(decoder.push(patternBytes(1000, i))).toEqual([]);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(decoder.finish()).toEqual({ validEnd: 0, stopOffset: 0, stop: 'incomplete', tailBytes: 20 + 100_000 });
    expect(grown).toBeLessThan(16 << 20);
  });

  it('after an unknown marker, later chunks are counted in tailBytes but not decoded', () => {
    const good = encodeStore(1, utf8('a'));
    const decoder = new RecordStreamDecoder();
    expect(decoder.push(concatBytes(good, hex('ee 01 02')))).toHaveLength(1);
    expect(decoder.push(encodeStore(2, utf8('b')))).toEqual([]);
    expect(decoder.finish()).toEqual({ validEnd: 18, stopOffset: 18, stop: 'unknown', tailBytes: 3 + 18 });
  });
});

describe('decodeRecordStream', () => {
  async function* chunksOf(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < buf.length; at += size) {
      await Promise.resolve();
      yield buf.subarray(at, at + size);
    }
  }

  it.each(Object.entries(buffers))('%s: yields the entries of scanBuffer and returns its ScanEnd', async (_name, buf) => {
    const stream = decodeRecordStream(chunksOf(buf, 11), 64);
    const entries: ScanEntry[] = [];
    let result = await stream.next();
    while (result.done !== true) {
      entries.push(result.value);
      result = await stream.next();
    }
    expect({ entries, end: result.value }).toEqual(scanBuffer(buf, 0, 64));
  });

  it('refuses a bad baseOffset and a chunk that is not a Uint8Array with a RecordDecodeError', () => {
    expect(() => new RecordStreamDecoder(Number.NaN)).toThrow(RecordDecodeError);
    expect(() => new RecordStreamDecoder(-5)).toThrow('baseOffset -5 is not a non-negative integer file position');
    const decoder = new RecordStreamDecoder();
    expect(() => decoder.push('abc' as unknown as Uint8Array)).toThrow('chunk must be a Uint8Array, got the string "abc"');
    // The refused chunk left nothing behind.
    expect(decoder.finish()).toEqual({ validEnd: 0, stopOffset: 0, stop: 'end', tailBytes: 0 });
  });

  it('accepts a plain iterable of chunks', async () => {
    const { buf } = mixedLog();
    const entries: ScanEntry[] = [];
    for await (const entry of decodeRecordStream([buf.subarray(0, 5), buf.subarray(5)])) entries.push(entry);
    expect(entries).toEqual(scanBuffer(buf).entries);
  });
});
