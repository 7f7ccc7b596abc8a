import { describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { InvalidCollectionNameError, InvalidDocumentKeyError, InvalidInputError } from './errors.js';
import { insertEntry, txBegin, txCommit, writeSegment } from './test-support/hand-built-log.js';
import { tempDir } from './test-support/temp-dir.js';
import type { DatabaseWarning } from './warnings.js';

const LONE_HIGH = 'x\ud800';
const LONE_LOW = '\udc00y';

describe('names that are not well-formed Unicode', () => {
  it('are refused as document keys, collection names and index fields, before anything is written', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    const c = db.collection('c');
    for (const key of [LONE_HIGH, LONE_LOW]) {
      await expect(c.set(key, { a: 1 })).rejects.toThrow(InvalidDocumentKeyError);
      await expect(c.insert({ [key]: { a: 1 } })).rejects.toThrow(InvalidDocumentKeyError);
      await expect(c.insert([{ _key: key, a: 1 }])).rejects.toThrow(InvalidDocumentKeyError);
      await expect(c.update(key, { a: 2 })).rejects.toThrow(InvalidDocumentKeyError);
      await expect(c.delete(key)).rejects.toThrow(InvalidDocumentKeyError);
      expect(() => c.get(key)).toThrow(/lone UTF-16 surrogate/);
      expect(() => db.collection(key)).toThrow(InvalidCollectionNameError);
      await expect(c.createIndex(`a.${key}`)).rejects.toThrow(InvalidInputError);
      await expect(
        db.transaction(async (tx) => {
          await tx.collection('c').set(key, {});
        }),
      ).rejects.toThrow(InvalidDocumentKeyError);
      await expect(db.transaction((tx) => tx.collection(key))).rejects.toThrow(InvalidCollectionNameError);
    }
    // A surrogate pair is one well-formed code point: accepted, and it reads back the same after a reopen.
    await db.collection('🚀').set('k😀', { ok: true });
    expect(db.seq).toBe(1);
    await db.close();
    const reopened = await Database.open(dir, { readOnly: true });
    expect(reopened.collection('🚀').get('k😀')).toMatchObject({ _key: 'k😀', ok: true });
    await reopened.close();
  });

  it('in a log written before they were refused, do not make it unopenable: the entry is skipped and counted', async () => {
    const dir = tempDir();
    // The header holds the key as UTF-8 (the surrogate became U+FFFD) while the document's _key kept it.
    writeSegment(dir, 1, [
      insertEntry('c', 'before', { n: 1 }),
      insertEntry('c', LONE_HIGH, { n: 2 }),
      txBegin('t1'),
      insertEntry('c', 'in-tx', { n: 3 }, 't1'),
      insertEntry('c', LONE_LOW, { n: 4 }, 't1'),
      txCommit('t1', 2),
      insertEntry('c', 'after', { n: 5 }),
    ]);
    for (const readOnly of [true, false]) {
      const warnings: DatabaseWarning[] = [];
      const db = await Database.open(dir, { readOnly, onWarning: (w) => warnings.push(w) });
      expect(db.collection('c').keys().sort(), `readOnly ${readOnly}`).toEqual(['after', 'before']);
      expect(db.stats().log.unreadableEntries).toBe(2);
      expect(warnings.map((w) => w.code)).toEqual(['unreadable-entry', 'unreadable-entry', 'incomplete-transaction']);
      expect(warnings[0]?.message).toMatch(/seq 2 .*_key differs/);
      await db.close();
    }
    const db = await Database.open(dir, { onWarning: () => undefined });
    await db.collection('c').set('later', { n: 6 });
    await db.compact();
    await db.close();
    const compacted = await Database.open(dir, { readOnly: true });
    expect(compacted.collection('c').keys().sort()).toEqual(['after', 'before', 'later']);
    await compacted.close();
  });
});
