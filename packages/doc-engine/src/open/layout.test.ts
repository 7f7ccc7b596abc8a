import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PayloadStore } from '@kilndb/payload-store';
import { Database } from '../database.js';
import { DatabaseLayoutError } from '../errors.js';
import { tempDir } from '../test-support/temp-dir.js';

/** Every name under `dir` with its size and modification time, to show an open wrote nothing. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const stat = statSync(path.join(dir, name));
      return `${name} ${stat.size} ${stat.mtimeMs}`;
    });
}

async function layoutError(dir: string, readOnly: boolean): Promise<DatabaseLayoutError> {
  const error: unknown = await Database.open(dir, { readOnly }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseLayoutError);
  return error as DatabaseLayoutError;
}

describe('Database.open layout checks', () => {
  it('refuses a PayloadStore directory with DatabaseLayoutError, writing nothing, read-only or not', async () => {
    const dir = tempDir();
    const store = await PayloadStore.open(dir);
    await store.store(1, { a: 1 });
    await store.createSnapshot();
    await store.close();
    const before = listing(dir);
    for (const readOnly of [false, true]) {
      const error = await layoutError(dir, readOnly);
      expect(error.path).toBe(dir);
      expect(error.message).toContain('holds a @kilndb/payload-store store (payloads.log, payloads.snapshot), not a database');
    }
    expect(listing(dir)).toEqual(before);
    // And the store opens as it was.
    const reopened = await PayloadStore.open(dir);
    expect(reopened.retrieve(1)).toEqual({ a: 1 });
    await reopened.close();
  });

  it('refuses a directory of files it does not recognise and no database, naming some of them', async () => {
    const dir = tempDir();
    for (let i = 0; i < 7; i++) writeFileSync(path.join(dir, `notes-${i}.txt`), 'x');
    mkdirSync(path.join(dir, 'photos'));
    const before = listing(dir);
    for (const readOnly of [false, true]) {
      const error = await layoutError(dir, readOnly);
      expect(error.message).toBe(
        `${dir}: is not a database directory: it holds notes-0.txt, notes-1.txt, notes-2.txt, notes-3.txt, notes-4.txt and 3 more, ` +
          'which this engine does not recognise, and no database; give the database a directory of its own (new or empty)',
      );
    }
    expect(listing(dir)).toEqual(before);
  });

  it('opens an empty directory, a database, and a database with other files beside it (a server keeps its own there)', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('k', { v: 1 });
    await db.compact();
    await db.close();
    mkdirSync(path.join(dir, 'auth'));
    writeFileSync(path.join(dir, 'auth', 'revocations.json'), '{}');
    writeFileSync(path.join(dir, 'README.txt'), 'x');
    const again = await Database.open(dir);
    expect(again.collection('c').get('k')).toMatchObject({ v: 1 });
    await again.close();
  });

  it('refuses a path through a file with DatabaseLayoutError', async () => {
    const file = path.join(tempDir(), 'file');
    writeFileSync(file, 'x');
    const error = await layoutError(path.join(file, 'db'), false);
    expect(error.message).toBe(`${path.join(file, 'db')}: cannot be a database directory: a part of the path is a file`);
  });

  it('counts a leftover LOCK and temp files as its own, not as unknown files', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'LOCK'), '');
    writeFileSync(path.join(dir, 'snapshot.kilndocs.123-0123abcd.kiln-tmp'), 'partial');
    const db = await Database.open(dir);
    await db.close();
  });
});
