import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../database.js';
import { tempDir } from '../test-support/temp-dir.js';
import { MissingKeyError, UnexpectedKeyError, WrongKeyError } from './errors.js';

const MARKER = 'plaintext-marker-7f3a';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('an encrypted Database end to end', () => {
  it('keeps no plaintext in any file (log or snapshot), reopens with its key, and refuses a wrong or missing key', async () => {
    const dir = path.join(tempDir(), 'db');
    const key = 'database passphrase';
    const db = await Database.open(dir, { encryptionKey: key });
    await db.collection('secrets').set('k1', { note: `${MARKER} one` });
    await db.transaction(async (tx) => {
      await tx.collection('secrets').set('k2', { note: `${MARKER} two` });
    });
    await db.compact();
    await db.collection('secrets').set('k3', { note: `${MARKER} three` });
    await db.close();

    const files = filesUnder(dir);
    expect(files.some((file) => file.endsWith('KEYRING'))).toBe(true);
    for (const file of files) expect(readFileSync(file).includes(MARKER), file).toBe(false);

    await expect(Database.open(dir, { encryptionKey: 'another passphrase' })).rejects.toThrow(WrongKeyError);
    await expect(Database.open(dir)).rejects.toThrow(MissingKeyError);
    const reopened = await Database.open(dir, { encryptionKey: key });
    try {
      expect(reopened.collection('secrets').keys().sort()).toEqual(['k1', 'k2', 'k3']);
      expect(reopened.collection('secrets').get('k3')?.note).toBe(`${MARKER} three`);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a key for a database created without one', async () => {
    const dir = path.join(tempDir(), 'db');
    const db = await Database.open(dir);
    await db.collection('c').set('k', { v: 1 });
    await db.close();
    await expect(Database.open(dir, { encryptionKey: new Uint8Array(32) })).rejects.toThrow(UnexpectedKeyError);
  });
});
