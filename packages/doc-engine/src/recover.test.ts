import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingKeyError } from './crypto/index.js';
import { Database } from './database.js';
import { InvalidOptionError, RecoveryRangeError } from './errors.js';
import { recover } from './recover.js';
import { tempDir } from './test-support/temp-dir.js';

const KEY = new Uint8Array(32).fill(7);

/** Writes k0..k9 one commit each (seq 1..10) at times 1000, 2000, ... 10000, then a two-entry transaction (seq 11..14). */
async function history(dir: string, options: Parameters<typeof Database.open>[1] = {}): Promise<Database> {
  let time = 0;
  const db = await Database.open(dir, { ...options, clock: () => time });
  for (let i = 0; i < 10; i++) {
    time = (i + 1) * 1000;
    await db.collection('c').set(`k${i}`, { i });
  }
  time = 11_000;
  await db.transaction(async (tx) => {
    await tx.collection('c').set('t1', {});
    await tx.collection('c').set('t2', {});
  });
  return db;
}

describe('recover', () => {
  it('rebuilds the state as of a sequence number into a new database that continues after it', async () => {
    const dir = tempDir();
    const db = await history(dir);
    await db.close();
    const out = path.join(tempDir(), 'recovered');
    const result = await recover(dir, { toSeq: 4, out });
    expect(result).toMatchObject({ out, seq: 4, time: 4000, base: undefined, collections: 1, documents: 4 });
    const recovered = await Database.open(out);
    expect(recovered.collection('c').keys()).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(recovered.seq).toBe(4);
    await recovered.collection('c').set('new', {});
    expect(recovered.seq).toBe(5);
    await recovered.close();
    // The source is untouched.
    const source = await Database.open(dir);
    expect(source.collection('c').count()).toBe(12);
    await source.close();
  });

  it('rebuilds the state as of a time, and includes a transaction only when its TX_COMMIT is inside the range', async () => {
    const dir = tempDir();
    await (await history(dir)).close();
    const byTime = await recover(dir, { toTime: 7_500, out: path.join(tempDir(), 'by-time') });
    expect(byTime).toMatchObject({ seq: 7, time: 7000, documents: 7 });
    const beforeCommit = await recover(dir, { toSeq: 13, out: path.join(tempDir(), 'mid-tx') });
    expect(beforeCommit).toMatchObject({ seq: 10, documents: 10 });
    const all = await recover(dir, { toSeq: 1_000, out: path.join(tempDir(), 'all') });
    expect(all).toMatchObject({ seq: 14, documents: 12 });
  });

  it('reaches back only to the current snapshot, unless log segments are retained with the backups', async () => {
    const dir = tempDir();
    const db = await history(dir);
    await db.compact();
    await db.collection('c').set('after', {});
    await db.close();
    await expect(recover(dir, { toSeq: 5, out: path.join(tempDir(), 'x') })).rejects.toBeInstanceOf(RecoveryRangeError);
    await expect(recover(dir, { toSeq: 5, out: path.join(tempDir(), 'x') })).rejects.toThrow('before the oldest recoverable point (seq 14)');
    const fromSnapshot = await recover(dir, { toSeq: 15, out: path.join(tempDir(), 'y') });
    expect(fromSnapshot).toMatchObject({ seq: 15, documents: 13, base: { seq: 14 } });

    const kept = tempDir();
    const retaining = await history(kept, { retainLogSegments: true, backupsToKeep: 2 });
    await retaining.compact(); // snapshot at 14
    await retaining.collection('c').set('x1', {});
    await retaining.compact(); // snapshot at 15; backup: 14, and the log since seq 0 is kept
    await retaining.collection('c').set('x2', {});
    const early = await recover(kept, { toSeq: 5, out: path.join(tempDir(), 'early') });
    expect(early).toMatchObject({ seq: 5, documents: 5, base: undefined });
    await retaining.compact(); // snapshot at 16; backups: 14, 15, so history before 14 goes
    await retaining.close();
    await expect(recover(kept, { toSeq: 5, out: path.join(tempDir(), 'gone') })).rejects.toThrow('oldest recoverable point (seq 14)');
    const middle = await recover(kept, { toSeq: 14, out: path.join(tempDir(), 'middle') });
    expect(middle).toMatchObject({ seq: 14, documents: 12, base: { seq: 14 } });
    expect(middle.base?.path).toContain(`${path.sep}backup${path.sep}`);
    const later = await recover(kept, { toSeq: 15, out: path.join(tempDir(), 'later') });
    expect(later).toMatchObject({ seq: 15, documents: 13, base: { seq: 15 } });
  });

  it('recovers an encrypted database into one encrypted with the same key', async () => {
    const dir = tempDir();
    await (await history(dir, { encryptionKey: KEY })).close();
    const out = path.join(tempDir(), 'enc');
    await expect(recover(dir, { toSeq: 3, out })).rejects.toBeInstanceOf(MissingKeyError);
    await recover(dir, { toSeq: 3, out, encryptionKey: KEY });
    await expect(Database.open(out)).rejects.toBeInstanceOf(MissingKeyError);
    const recovered = await Database.open(out, { encryptionKey: KEY });
    expect(recovered.collection('c').count()).toBe(3);
    await recovered.close();
  });

  it('refuses a used output directory and an unclear target', async () => {
    const dir = tempDir();
    await (await history(dir)).close();
    const used = path.join(tempDir(), 'used');
    mkdirSync(used);
    writeFileSync(path.join(used, 'file'), '');
    await expect(recover(dir, { toSeq: 1, out: used })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(recover(dir, { out: path.join(tempDir(), 'a') })).rejects.toThrow('give exactly one of them');
    await expect(recover(dir, { toSeq: 1, toTime: 1, out: path.join(tempDir(), 'b') })).rejects.toThrow('give exactly one of them');
    await expect(recover(dir, { toSeq: -1, out: path.join(tempDir(), 'c') })).rejects.toThrow('toSeq');
  });
});
