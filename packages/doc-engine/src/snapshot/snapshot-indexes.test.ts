import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, readDocumentSnapshot, writeDocumentSnapshot } from '@kilndb/snapshot';
import { Database } from '../database.js';
import { internalsOf } from '../internals.js';
import type { Collection } from '../collection.js';
import { encodeDocEntry } from '../state/held-doc.js';
import { TAG_INDEX } from '../state/index-column.js';
import { isHeld } from '../state/state.js';
import { tempDir } from '../test-support/temp-dir.js';
import type { DatabaseWarning } from '../warnings.js';

/** Documents with every kind of value an index meets on `city` and `geo.zip`: strings, numbers, booleans, null, arrays, objects, missing. */
function sample(i: number): Record<string, unknown> {
  const cities: unknown[] = ['Oslo', 'Lima', 7, true, null, ['x'], { a: 1 }];
  const doc: Record<string, unknown> = { n: i, geo: i % 4 === 0 ? { zip: i % 3 } : {} };
  if (i % 9 !== 8) doc.city = cities[i % cities.length];
  return doc;
}

const WHERES = [{ city: 'Oslo' }, { city: 7 }, { city: true }, { city: null }, { city: { $in: ['oslo', 'LIMA'] } }, { 'geo.zip': { $gte: 1 } }, { 'geo.zip': 0 }];

/** Keys each query finds, sorted: compared between an index rebuilt from documents and one restored from the snapshot. */
function answers(c: Collection): string[][] {
  return WHERES.map((where) => c.find({ where }).map((doc) => doc._key).sort());
}

function heldCount(db: Database, collection: string): number {
  return [...(internalsOf(db).state.collections.get(collection)?.docs.values() ?? [])].filter(isHeld).length;
}

async function tagsOf(dir: string): Promise<number[]> {
  const snapshot = await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'snapshot.kilndocs'));
  return (snapshot?.entries ?? []).map((entry) => entry[0] ?? -1);
}

async function populated(dir: string, options: Parameters<typeof Database.open>[1] = {}): Promise<{ db: Database; expected: string[][] }> {
  const db = await Database.open(dir, options);
  const c = db.collection('c');
  await c.createIndex('city');
  await c.createIndex('geo.zip');
  await c.insert(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, sample(i)])));
  return { db, expected: answers(c) };
}

describe('indexes in the snapshot', () => {
  it('are written after their collection and restored without parsing a held document', async () => {
    const dir = tempDir();
    const { db, expected } = await populated(dir);
    await db.compact();
    await db.close();
    const tags = await tagsOf(dir);
    expect(tags.filter((tag) => tag === TAG_INDEX)).toHaveLength(2);
    expect(tags.slice(-2)).toEqual([TAG_INDEX, TAG_INDEX]);

    const reopened = await Database.open(dir);
    const c = reopened.collection('c');
    expect(c.find({ where: { city: 'nowhere' } })).toEqual([]);
    // The city index exists now, and no document was parsed to build it.
    expect(heldCount(reopened, 'c')).toBe(60);
    expect(answers(c)).toEqual(expected);
    await reopened.close();
  });

  it('stay right through writes before and after first use, and are written back from held documents', async () => {
    const dir = tempDir();
    const { db } = await populated(dir);
    await db.compact();
    await db.close();
    const reopened = await Database.open(dir);
    const c = reopened.collection('c');
    await c.set('k1', { city: 'Lima', geo: { zip: 2 } });
    await c.delete('k2');
    c.find({ where: { city: 'Oslo' } });
    await c.set('k3', { city: 'Oslo' });
    await c.set('new', { city: 'Oslo', geo: { zip: 1 } });
    await c.delete('k4');
    const expected = answers(c);
    await reopened.compact();
    await reopened.close();

    const again = await Database.open(dir);
    expect(answers(again.collection('c'))).toEqual(expected);
    // Rebuilt from documents (no snapshot index for a field indexed after the snapshot), the answers agree too.
    await again.collection('c').dropIndex('city');
    expect(answers(again.collection('c'))).toEqual(expected);
    await again.close();
  });

  it('are built from the documents when the snapshot predates them (format 2)', async () => {
    const dir = tempDir();
    const docs = Array.from({ length: 30 }, (_, i): Record<string, unknown> & { _key: string } => ({ _key: `k${i}`, _v: 1, _seq: i + 1, _createdAt: 1, _modifiedAt: 1, ...sample(i) }));
    const json = (tag: string, value: unknown): Uint8Array => Buffer.from(tag + JSON.stringify(value));
    await writeDocumentSnapshot(nodeFileSystem, path.join(dir, 'snapshot.kilndocs'), {
      seq: 5,
      count: 2 + docs.length,
      entries: [
        json('M', { format: 2, seq: 5, time: 1 }),
        json('C', { name: 'c', meta: { lastSeq: 30, indexes: { city: {} } } }),
        ...docs.map((doc) => encodeDocEntry(doc._key, JSON.stringify(doc))),
      ],
    });
    const db = await Database.open(dir);
    const c = db.collection('c');
    expect(c.indexes()).toEqual(['city']);
    expect(c.find({ where: { city: 'Oslo' } }).map((doc) => doc._key).sort()).toEqual(docs.filter((doc) => doc.city === 'Oslo').map((doc) => doc._key).sort());
    await db.close();
  });

  it('are rebuilt from the documents, with a warning, when an index entry is damaged; the open does not fail', async () => {
    const dir = tempDir();
    const { db, expected } = await populated(dir);
    await db.compact();
    await db.close();
    const file = path.join(dir, 'snapshot.kilndocs');
    const snapshot = await readDocumentSnapshot(nodeFileSystem, file);
    const entries = (snapshot?.entries ?? []).map((entry) => Buffer.from(entry));
    const index = entries.findIndex((entry) => entry[0] === TAG_INDEX);
    const damaged = entries[index] as Buffer;
    // Row 0's value reference now points past the values (a well-framed entry with a CRC that matches).
    damaged.writeUInt32LE(999, 5 + damaged.readUInt32LE(1));
    entries[index + 1] = entries[index + 1]!.subarray(0, -3);
    await writeDocumentSnapshot(nodeFileSystem, file, { seq: snapshot!.seq, count: entries.length, entries });

    const warnings: DatabaseWarning[] = [];
    const reopened = await Database.open(dir, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings.map((warning) => warning.code)).toEqual(['damaged-index-entry', 'damaged-index-entry']);
    expect(warnings[0]?.message).toContain('refers to value 999');
    expect(warnings[1]?.message).toContain('not 12 per each of 60 documents');
    expect(answers(reopened.collection('c'))).toEqual(expected);
    await reopened.close();
  });

  it('are sealed like every entry in an encrypted database, and restored from it', async () => {
    const dir = tempDir();
    const encryptionKey = randomBytes(32);
    const { db, expected } = await populated(dir, { encryptionKey });
    await db.compact();
    await db.close();
    const raw = await readFileEntries(dir);
    expect(raw.count).toBe(1 + 1 + 60 + 2);
    expect(raw.plainIndexEntries).toBe(0);
    const reopened = await Database.open(dir, { encryptionKey });
    const c = reopened.collection('c');
    c.find({ where: { 'geo.zip': 99 } });
    expect(heldCount(reopened, 'c')).toBe(60);
    expect(answers(c)).toEqual(expected);
    await reopened.close();
  });
});

async function readFileEntries(dir: string): Promise<{ count: number; plainIndexEntries: number }> {
  const snapshot = await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'snapshot.kilndocs'));
  const entries = snapshot?.entries ?? [];
  return { count: entries.length, plainIndexEntries: entries.filter((entry) => Buffer.from(entry).includes('"field"')).length };
}
