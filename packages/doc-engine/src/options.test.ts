import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Database } from './database.js';
import { InvalidOptionError } from './errors.js';
import { recover } from './recover.js';
import { tempDir } from './test-support/temp-dir.js';

describe('Database.open options', () => {
  it.each([
    ['undefined', undefined, 'is given but undefined (an unset environment variable?)'],
    ['an empty passphrase', '', 'is given but an empty string'],
    ['an empty raw key', new Uint8Array(0), 'is given but an empty array'],
  ])('refuses an encryptionKey that is present but %s with InvalidOptionError, creating nothing', async (_, key, problem) => {
    const dir = path.join(tempDir(), 'db');
    const error: unknown = await Database.open(dir, { encryptionKey: key as string }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('encryptionKey');
    expect((error as Error).message).toContain(problem);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses it for an existing unencrypted database too, and in recover', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('k', {});
    await db.close();
    const before = readdirSync(dir);
    await expect(Database.open(dir, { encryptionKey: process.env.KILNDB_TEST_UNSET_KEY as string })).rejects.toThrow(InvalidOptionError);
    await expect(Database.open(dir, { readOnly: true, encryptionKey: undefined as unknown as string })).rejects.toThrow(InvalidOptionError);
    await expect(recover(dir, { toSeq: 1, out: path.join(tempDir(), 'out'), encryptionKey: undefined as unknown as string })).rejects.toThrow(
      'invalid option encryptionKey: is given but undefined',
    );
    expect(readdirSync(dir)).toEqual(before);
    // Left out, it opens the unencrypted database.
    const again = await Database.open(dir);
    expect(again.collection('c').count()).toBe(1);
    await again.close();
  });

  it('refuses an unknown option name with InvalidOptionError naming it', async () => {
    const dir = path.join(tempDir(), 'db');
    const error: unknown = await Database.open(dir, { durabilty: 'none' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('durabilty');
    expect((error as Error).message).toMatch(/^invalid option durabilty: is not an option of Database\.open \(known: durability, encryptionKey,/);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('Database.open inlineSync', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('refuses a value that is not a boolean', async () => {
    const error: unknown = await Database.open(tempDir(), { inlineSync: 'yes' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('inlineSync');
  });

  it.each([
    [undefined, true],
    [false, false],
  ])('with inlineSync %s, a lone writer syncs on its own thread: %s', async (inlineSync, inline) => {
    // Every sync appears quick, so the disk under the test runner cannot decide it.
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 0.05));
    const db = await Database.open(tempDir(), inlineSync === undefined ? {} : { inlineSync });
    for (let i = 0; i < 30; i++) await db.collection('c').set(`k${String(i)}`, { i });
    const { syncs, inlineSyncs } = db.stats().log;
    expect(syncs).toBeGreaterThanOrEqual(30);
    if (inline) expect(inlineSyncs).toBeGreaterThan(0);
    else expect(inlineSyncs).toBe(0);
    await db.close();
  });
});
