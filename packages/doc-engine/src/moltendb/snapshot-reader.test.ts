import { describe, expect, it } from 'vitest';
import { MoltenDbInputError } from './errors.js';
import { parseMoltenDbSnapshot, type MoltenDbSnapshot } from './snapshot-reader.js';
import { encodeMoltenDbSnapshot, entry } from './test-support/molten-fixtures.js';

const PATH = '/data/my_database.log.snapshot.bin';

function problemOf(bytes: Uint8Array): string {
  try {
    parseMoltenDbSnapshot(bytes, PATH);
  } catch (error) {
    expect(error).toBeInstanceOf(MoltenDbInputError);
    expect((error as MoltenDbInputError).path).toBe(PATH);
    expect((error as Error).message).toContain(PATH);
    return (error as MoltenDbInputError).problem;
  }
  throw new Error('expected parseMoltenDbSnapshot to throw');
}

const sample: MoltenDbSnapshot = {
  seq: 42,
  entries: [
    entry('INSERT', 'users', 'a', { name: 'Ann', tags: ['x'], nested: { deep: [1, 2.5, null] } }),
    entry('INSERT', 'users', 'b', { name: 'Bøb ✓' }),
    entry('SCHEMA', 'users', '', { type: 'object' }),
  ],
};

describe('parseMoltenDbSnapshot', () => {
  it('reads a snapshot laid out byte by byte as MoltenDB writes it', () => {
    const json = '{"cmd":"INSERT","collection":"c","key":"k","value":{"n":1},"_t":7}';
    const bytes = Buffer.alloc(24 + 8 + json.length);
    bytes.write('MOLTSNAP', 0, 'latin1');
    bytes.writeUInt32LE(9, 8); // seq = 9 (high half zero)
    bytes.writeUInt32LE(1, 16); // count = 1
    bytes.writeUInt32LE(json.length, 24);
    bytes.write(json, 32, 'utf8');
    expect(parseMoltenDbSnapshot(bytes, PATH)).toEqual({
      seq: 9,
      entries: [{ cmd: 'INSERT', collection: 'c', key: 'k', value: { n: 1 }, _t: 7 }],
    });
  });

  it('round-trips entries with nested values and non-ASCII text, and an empty snapshot', () => {
    expect(parseMoltenDbSnapshot(encodeMoltenDbSnapshot(sample), PATH)).toEqual(sample);
    expect(parseMoltenDbSnapshot(encodeMoltenDbSnapshot({ seq: 0, entries: [] }), PATH)).toEqual({ seq: 0, entries: [] });
  });

  it('ignores bytes after the last announced entry, as MoltenDB does', () => {
    const bytes = Buffer.concat([encodeMoltenDbSnapshot(sample), Buffer.from('trailing junk')]);
    expect(parseMoltenDbSnapshot(bytes, PATH)).toEqual(sample);
  });

  it('reports every cut of a valid snapshot as truncated', () => {
    const bytes = encodeMoltenDbSnapshot(sample);
    for (let length = 8; length < bytes.length; length++) {
      expect(problemOf(bytes.subarray(0, length)), `cut at ${length}`).toBe('truncated');
    }
    expect(problemOf(new Uint8Array(0))).toBe('truncated');
  });

  it('reports a count the file cannot hold before reading entries', () => {
    const bytes = Buffer.from(encodeMoltenDbSnapshot(sample));
    bytes.writeBigUInt64LE(2n ** 62n, 16);
    expect(problemOf(bytes)).toBe('truncated');
    bytes.writeBigUInt64LE(BigInt(sample.entries.length + 1), 16);
    expect(problemOf(bytes)).toBe('truncated');
  });

  it('reports an entry length running past the end', () => {
    const bytes = Buffer.from(encodeMoltenDbSnapshot(sample));
    bytes.writeBigUInt64LE(2n ** 63n, 24);
    expect(problemOf(bytes)).toBe('truncated');
    bytes.writeBigUInt64LE(BigInt(bytes.length), 24);
    expect(problemOf(bytes)).toBe('truncated');
  });

  it('tells a foreign file, a later compressed format and a non-JSON (bincode) body apart', () => {
    expect(problemOf(Buffer.from('{"cmd":"INSERT"}\n'))).toBe('not-moltendb');
    expect(problemOf(Buffer.from('MOLX'))).toBe('not-moltendb');
    expect(problemOf(Buffer.from('MOLT'))).toBe('truncated');
    for (const magic of ['MOLTSNG2', 'MOLTSNG3']) {
      const bytes = Buffer.from(encodeMoltenDbSnapshot(sample));
      bytes.write(magic, 0, 'latin1');
      expect(problemOf(bytes)).toBe('unsupported');
    }
    const bincode = Buffer.alloc(24 + 8 + 5);
    bincode.write('MOLTSNAP', 0, 'latin1');
    bincode.writeUInt32LE(1, 16);
    bincode.writeUInt32LE(5, 24);
    bincode.set([6, 0, 0, 0, 0], 32);
    expect(problemOf(bincode)).toBe('corrupt');
  });

  it('rejects an entry that is JSON but not a LogEntry, naming its index', () => {
    const bytes = encodeMoltenDbSnapshot({ seq: 1, entries: [sample.entries[0]!, { ...sample.entries[1]!, key: 5 as unknown as string }] });
    expect(problemOf(bytes)).toBe('corrupt');
    expect(() => parseMoltenDbSnapshot(bytes, PATH)).toThrow(/entry 1 /);
  });

  it('rejects a seq beyond 2^53', () => {
    const bytes = Buffer.from(encodeMoltenDbSnapshot(sample));
    bytes.writeBigUInt64LE(2n ** 60n, 8);
    expect(problemOf(bytes)).toBe('corrupt');
  });
});
