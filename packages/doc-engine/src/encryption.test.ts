import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem, readDocumentSnapshot } from '@kilndb/snapshot';
import { MissingKeyError, UnexpectedKeyError, WrongKeyError } from './crypto/index.js';
import { Database } from './database.js';
import { tempDir } from './test-support/temp-dir.js';

const KEY = new Uint8Array(32).fill(1);
const OTHER_KEY = new Uint8Array(32).fill(2);

function allBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name))),
  );
}

describe('encryption at rest', () => {
  it('seals every log entry and snapshot entry: no document text reaches the disk', async () => {
    const dir = tempDir();
    const db = await Database.open(dir, { encryptionKey: KEY });
    await db.collection('secrets').set('launch-code', { code: 'PLAINTEXT-MARKER' });
    await db.compact();
    await db.transaction(async (tx) => {
      await tx.collection('secrets').set('second', { code: 'PLAINTEXT-MARKER' });
      await tx.collection('secrets').delete('launch-code');
    });
    await db.close();
    const bytes = allBytes(dir);
    for (const text of ['PLAINTEXT-MARKER', 'launch-code', 'secrets', 'INSERT', 'TX_BEGIN']) expect(bytes.includes(text)).toBe(false);
    expect((await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'snapshot.kilndocs')))?.encrypted).toBe(true);

    const reopened = await Database.open(dir, { encryptionKey: KEY });
    expect(reopened.collection('secrets').keys()).toEqual(['second']);
    expect(reopened.collection('secrets').get('second')).toMatchObject({ code: 'PLAINTEXT-MARKER' });
    expect(reopened.stats().encrypted).toBe(true);
    await reopened.close();
  });

  it('refuses a missing or wrong key, and a key for an unencrypted database, with typed errors', async () => {
    const dir = tempDir();
    await (await Database.open(dir, { encryptionKey: KEY })).close();
    await expect(Database.open(dir)).rejects.toBeInstanceOf(MissingKeyError);
    await expect(Database.open(dir, { encryptionKey: OTHER_KEY })).rejects.toBeInstanceOf(WrongKeyError);
    // A failed open leaves the directory unlocked.
    await (await Database.open(dir, { encryptionKey: KEY })).close();

    const plain = tempDir();
    const db = await Database.open(plain);
    await db.collection('c').set('k', {});
    await db.close();
    await expect(Database.open(plain, { encryptionKey: KEY })).rejects.toBeInstanceOf(UnexpectedKeyError);
  });
});
