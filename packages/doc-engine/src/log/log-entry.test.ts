import { describe, expect, it } from 'vitest';
import { ENTRY_FORMAT, ENTRY_HEADER_SIZE, EntryPayloads, decodeEntry, encodeEntry, type LogEntry } from './log-entry.js';

const doc = { _key: 'clé-1', _v: 3, _seq: 9, _createdAt: 1, _modifiedAt: 2, name: 'Zoë 🚀', nested: { list: [1, null, true] } };

const entries: LogEntry[] = [
  { cmd: 'INSERT', collection: 'naïve', key: 'clé-1', value: doc, _t: 1_700_000_000_123 },
  { cmd: 'DELETE', collection: 'c', key: 'k', value: null, _t: 5 },
  { cmd: 'DROP', collection: 'c', key: '', value: null, _t: 6 },
  { cmd: 'SCHEMA', collection: 'c', key: '', value: { type: 'object', required: ['a'] }, _t: 7 },
  { cmd: 'INDEX', collection: 'c', key: 'age', value: { unique: false }, _t: 8 },
  { cmd: 'INDEX', collection: 'c', key: 'age', value: null, _t: 8 },
  { cmd: 'TX_BEGIN', collection: '', key: 'tx-1', value: null, _t: 9 },
  { cmd: 'INSERT', collection: 'c', key: 'k', value: { ...doc, _key: 'k' }, _t: 9, tx: 'tx-1' },
  { cmd: 'TX_COMMIT', collection: '', key: 'tx-1', value: { count: 1 }, _t: 9 },
];

describe('log entry encoding', () => {
  it.each(entries.map((entry) => [entry.cmd, entry] as const))('round-trips %s', (_, entry) => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('measures each payload exactly and writes it at any position of a Buffer or a plain Uint8Array', () => {
    const longName = 'ü'.repeat(40) + 'x'.repeat(40);
    const odd: LogEntry[] = [
      ...entries,
      { cmd: 'INSERT', collection: longName, key: '🔑'.repeat(30), value: { ...doc, _key: '🔑'.repeat(30), text: 'ß'.repeat(5000) }, _t: 10 },
    ];
    const measured = new EntryPayloads(odd, 'tx-7', 2, 4);
    for (const target of [Buffer.alloc(64 * 1024, 0xee), new Uint8Array(64 * 1024).fill(0xee)]) {
      let at = 3;
      for (let i = 0; i < measured.count; i++) {
        measured.write(i, target, at);
        const end = at + measured.length(i);
        expect(target[end], 'nothing written past the measured length').toBe(0xee);
        const expected = i >= 2 && i < 4 ? { ...odd[i], tx: 'tx-7' } : odd[i];
        expect(decodeEntry(target.subarray(at, end))).toEqual(expected);
        at = end + 1;
      }
    }
  });

  it('writes a payload set correctly after another one took the shared scratch (a commit the log held back)', () => {
    const held = new EntryPayloads(entries.slice(0, 2));
    const later = new EntryPayloads(entries.slice(2), 'tx-3');
    const writeOut = (payloads: EntryPayloads): LogEntry[] => {
      const decoded: LogEntry[] = [];
      for (let i = 0; i < payloads.count; i++) {
        const target = new Uint8Array(payloads.length(i));
        payloads.write(i, target, 0);
        decoded.push(decodeEntry(target) as LogEntry);
      }
      return decoded;
    };
    expect(writeOut(held)).toEqual(entries.slice(0, 2));
    expect(writeOut(later)).toEqual(entries.slice(2).map((entry) => ({ ...entry, tx: 'tx-3' })));
    expect(writeOut(held)).toEqual(entries.slice(0, 2));
  });

  it('tags an entry with a transaction id without changing the entry', () => {
    const entry = entries[1]!;
    expect(decodeEntry(encodeEntry(entry, 'tx-9'))).toEqual({ ...entry, tx: 'tx-9' });
    expect(entry).not.toHaveProperty('tx');
  });

  it('lays out a binary header, then the names, then the value as JSON', () => {
    const bytes = Buffer.from(encodeEntry({ cmd: 'DELETE', collection: 'ab', key: 'xyz', value: null, _t: 1.5 }, 't'));
    expect(bytes[0]).toBe(ENTRY_FORMAT);
    expect(bytes[1]).toBe(2);
    expect(bytes.readDoubleLE(2)).toBe(1.5);
    expect([bytes.readUInt16LE(10), bytes.readUInt32LE(12), bytes.readUInt16LE(16)]).toEqual([2, 3, 1]);
    expect(bytes.subarray(ENTRY_HEADER_SIZE).toString()).toBe('abxyzt');
    const insert = Buffer.from(encodeEntry(entries[0]!));
    expect(JSON.parse(insert.subarray(ENTRY_HEADER_SIZE + Buffer.byteLength('naïve') + Buffer.byteLength('clé-1')).toString())).toEqual(doc);
  });

  it('says what is wrong with bytes that are not an entry', () => {
    const good = Buffer.from(encodeEntry(entries[0]!));
    const with_ = (at: number, value: number): Buffer => {
      const copy = Buffer.from(good);
      copy[at] = value;
      return copy;
    };
    expect(decodeEntry(good.subarray(0, 10))).toBe('10 bytes is shorter than an entry header');
    expect(decodeEntry(with_(0, 2))).toBe('entry format 2 is not supported');
    expect(decodeEntry(with_(1, 99))).toBe('unknown command code 99');
    expect(decodeEntry(with_(12, 250))).toBe('the header lengths run past the end of the entry');
    expect(decodeEntry(good.subarray(0, good.length - 1))).toMatch(/^the value is not JSON/);
    const mismatched = encodeEntry({ ...entries[0]!, key: 'other' });
    expect(decodeEntry(mismatched)).toBe('INSERT value._key differs from the key');
    expect(decodeEntry(encodeEntry({ cmd: 'INSERT', collection: 'c', key: 'k', value: [1], _t: 0 }))).toBe('INSERT value is not a document');
    expect(decodeEntry(encodeEntry({ cmd: 'TX_COMMIT', collection: '', key: 't', value: null, _t: 0 }))).toBe('TX_COMMIT value lacks count');
  });
});
