import { describe, expect, it } from 'vitest';
import { DatabaseLayoutError } from '../errors.js';
import type { StoredDoc } from '../query/types.js';
import { SeededRandom } from '@kilndb/snapshot/testing';
import { DocTable, isHeld } from './doc-table.js';
import { encodeDocEntry } from './held-doc.js';

const stored = (key: string, n: number): StoredDoc => ({ _key: key, _v: 1, _seq: n, _createdAt: 0, _modifiedAt: 0, n });

/** A table holding `keys` as snapshot entries in one buffer, as an open leaves it. */
function heldTable(keys: readonly string[], docFor: (key: string, i: number) => StoredDoc = stored): { table: DocTable; bytes: Buffer } {
  const entries = keys.map((key, i) => Buffer.from(encodeDocEntry(key, JSON.stringify(docFor(key, i)))));
  const bytes = Buffer.concat(entries);
  const table = new DocTable();
  let at = 0;
  for (const entry of entries) {
    expect(table.hold(bytes, at, at + entry.length)).toBe(true);
    at += entry.length;
  }
  return { table, bytes };
}

describe('DocTable', () => {
  it('finds held documents by key, parses each once on first use, and reads like the Map it replaces', () => {
    const keys = ['a', 'naïve-ü', 'k0001', '日本', ''];
    const { table } = heldTable(keys);
    expect(table.size).toBe(5);
    expect([...table.keys()]).toEqual(keys);
    expect(isHeld(table.get('naïve-ü'))).toBe(true);
    const doc = table.doc('naïve-ü');
    expect(doc).toEqual(stored('naïve-ü', 1));
    expect(table.doc('naïve-ü')).toBe(doc);
    expect(table.get('naïve-ü')).toBe(doc);
    expect(table.has('日本')).toBe(true);
    expect(table.has('日')).toBe(false);
    expect(table.doc('missing')).toBeUndefined();
    expect([...table.values()].filter((held) => !isHeld(held))).toEqual([doc]);
  });

  it('keeps Map order and semantics through sets and deletes, held or not (against a Map, 2,000 random steps)', () => {
    const random = new SeededRandom(13);
    const keys = Array.from({ length: 300 }, (_, i) => `key-${i}`);
    const { table } = heldTable(keys.slice(0, 200));
    const model = new Map<string, StoredDoc | 'held'>(keys.slice(0, 200).map((key) => [key, 'held']));
    for (let step = 0; step < 2000; step++) {
      const key = keys[random.int(keys.length)] as string;
      const op = random.int(3);
      if (op === 0) {
        const doc = stored(key, step);
        table.set(key, doc);
        model.set(key, doc);
      } else if (op === 1) {
        expect(table.delete(key)).toBe(model.delete(key));
      } else {
        const expected = model.get(key);
        expect(table.doc(key)).toEqual(expected === 'held' ? stored(key, keys.indexOf(key)) : expected);
        if (expected === 'held') model.set(key, table.doc(key) as StoredDoc);
      }
      expect(table.size).toBe(model.size);
    }
    expect([...table.keys()]).toEqual([...model.keys()]);
    expect([...table.entries()].map(([key, held]) => [key, isHeld(held) ? 'held' : held])).toEqual([...model.entries()]);
  });

  it('lets the snapshot bytes go once every held document is parsed, while a capture taken before still reads them', () => {
    const { table } = heldTable(['x', 'y', 'z']);
    const capture = table.heldEntries();
    const heldY = table.get('y') as number;
    for (const key of ['x', 'y', 'z']) table.doc(key);
    expect([...table.values()].some(isHeld)).toBe(false);
    // Keys are still found (now from their own small buffer), and the capture reads the entry it saw.
    expect([...table.keys()]).toEqual(['x', 'y', 'z']);
    expect(table.has('z') && !table.has('w')).toBe(true);
    expect(Buffer.from(capture(heldY)).toString('utf8', 6)).toBe(JSON.stringify(stored('y', 1)));
    table.delete('y');
    table.set('y', stored('y', 9));
    expect([...table.keys()]).toEqual(['x', 'z', 'y']);
  });

  it('keeps the later of a key held twice, refuses an entry whose key runs past it, and names a mismatched document', () => {
    const { table } = heldTable(['a', 'b', 'a']);
    expect(table.doc('a')).toEqual(stored('a', 2));
    expect(table.size).toBe(2);
    expect([...table.keys()]).toEqual(['b', 'a']);
    const short = Buffer.from([0x44, 9, 0, 0, 0, 0x61]);
    expect(new DocTable().hold(short, 0, short.length)).toBe(false);
    const { table: wrong } = heldTable(['p'], () => stored('q', 0));
    expect(() => wrong.doc('p')).toThrow(DatabaseLayoutError);
  });
});
