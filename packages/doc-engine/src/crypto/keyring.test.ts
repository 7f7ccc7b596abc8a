import * as nodeCrypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanStaleTemps, nodeFileSystem } from '@kilndb/snapshot';
import { FaultyFileSystem, SimulatedCrashError, type CrashOptions } from '@kilndb/snapshot/testing';
import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  InvalidKeyError,
  KeyringCorruptError,
  MissingKeyError,
  UnexpectedKeyError,
  UnsupportedKdfError,
  WrongKeyError,
} from './errors.js';
import { openKeyring, type OpenKeyringOptions } from './keyring.js';
import { encodeKeyring, encodeKeyringPrefix, KEYRING_FILE } from './keyring-format.js';
import { tempDir } from '../test-support/temp-dir.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const fs = nodeFileSystem;
const create: OpenKeyringOptions = { create: true };
const existing: OpenKeyringOptions = { create: false };

async function mustOpen(dir: string, key: string | Uint8Array, options: OpenKeyringOptions = existing) {
  const cipher = await openKeyring(fs, dir, key, options);
  if (cipher === undefined) throw new Error('expected a cipher for an encrypted database');
  return cipher;
}

describe('openKeyring with a raw 32-byte key', () => {
  it('creates a KEYRING, and a later open with the same key reads what the first sealed', async () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const first = await mustOpen(dir, key, create);
    expect(readdirSync(dir)).toEqual([KEYRING_FILE]);
    const keyring = readFileSync(path.join(dir, KEYRING_FILE));
    expect(keyring.length).toBe(92);
    expect(keyring[10]).toBe(0);
    const sealed = first.seal(text('hello'));
    const second = await mustOpen(dir, Uint8Array.from(key));
    expect(decode(second.open(sealed))).toBe('hello');
    expect(readFileSync(path.join(dir, KEYRING_FILE)).equals(keyring)).toBe(true);
  });

  it('uses a new session on every open: the same counter position never gets the same session id', async () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const sealedByOpen: Uint8Array[][] = [];
    for (let open = 0; open < 3; open++) {
      const cipher = await mustOpen(dir, key, create);
      sealedByOpen.push(Array.from({ length: 50 }, (_, i) => cipher.seal(text(`same text ${i}`))));
    }
    const nonces = new Set(sealedByOpen.flat().map((sealed) => Buffer.from(sealed.subarray(1, 41)).toString('hex')));
    expect(nonces.size).toBe(150);
    const sessions = new Set(sealedByOpen.map((sealed) => Buffer.from(sealed[0]!.subarray(1, 33)).toString('hex')));
    expect(sessions.size).toBe(3);
    const counters = sealedByOpen.map((sealed) => Buffer.from(sealed[7]!).readBigUInt64LE(33));
    expect(counters).toEqual([7n, 7n, 7n]);
  });

  it('throws WrongKeyError for another raw key and for a passphrase', async () => {
    const dir = tempDir();
    await mustOpen(dir, randomBytes(32), create);
    await expect(openKeyring(fs, dir, randomBytes(32), existing)).rejects.toThrow(WrongKeyError);
    await expect(openKeyring(fs, dir, 'a passphrase', existing)).rejects.toThrow(
      /created with a raw 32-byte key, but a passphrase was given/,
    );
  });

  it('keeps two databases with the same raw key apart (the per-database salt)', async () => {
    const key = randomBytes(32);
    const one = await mustOpen(tempDir(), key, create);
    const other = await mustOpen(tempDir(), key, create);
    expect(() => other.open(one.seal(text('only for db one')))).toThrow(DecryptionError);
  });
});

describe('openKeyring with a passphrase', () => {
  it('derives with Argon2id where the runtime has it, else scrypt, opens with the same passphrase, refuses others', async () => {
    const dir = tempDir();
    const first = await mustOpen(dir, 'correct horse battery staple', create);
    const keyring = readFileSync(path.join(dir, KEYRING_FILE));
    if ('argon2' in nodeCrypto) expect(keyring[10]).toBe(2);
    else expect([keyring[10], keyring.readUInt32LE(12), keyring.readUInt32LE(16), keyring.readUInt32LE(20)]).toEqual([1, 2 ** 15, 8, 1]);
    const sealed = first.seal(text('secret'));
    expect(decode((await mustOpen(dir, 'correct horse battery staple')).open(sealed))).toBe('secret');
    const wrong = await openKeyring(fs, dir, 'correct horse battery stapler', existing).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(WrongKeyError);
    expect((wrong as Error).message).toContain(dir);
    await expect(openKeyring(fs, dir, randomBytes(32), existing)).rejects.toThrow(
      /created with a passphrase, but a raw 32-byte key was given/,
    );
  });

  it('treats composed and decomposed forms of the same passphrase as one (Unicode NFC)', async () => {
    const dir = tempDir();
    const composed = 'caf\u00e9 cr\u00e8me';
    const decomposed = 'cafe\u0301 cre\u0300me';
    expect(composed).not.toBe(decomposed);
    const sealed = (await mustOpen(dir, composed, create)).seal(text('same'));
    expect(decode((await mustOpen(dir, decomposed)).open(sealed))).toBe('same');
  });

  it('refuses an Argon2id keyring on a runtime without crypto.argon2 with UnsupportedKdfError', async () => {
    const dir = tempDir();
    const prefix = encodeKeyringPrefix({ kind: 'argon2id', memoryKiB: 1024, passes: 1, parallelism: 1 }, randomBytes(32));
    writeFileSync(path.join(dir, KEYRING_FILE), encodeKeyring(prefix, randomBytes(32)));
    // With argon2 present the derivation runs and the random key check cannot match.
    const expected = 'argon2' in nodeCrypto ? WrongKeyError : UnsupportedKdfError;
    await expect(openKeyring(fs, dir, 'passphrase', existing)).rejects.toThrow(expected);
  });
});

describe('openKeyring: encrypted or not', () => {
  it('returns undefined and writes nothing for a database opened without a key and without KEYRING', async () => {
    const dir = tempDir();
    expect(await openKeyring(fs, dir, undefined, create)).toBeUndefined();
    expect(await openKeyring(fs, dir, undefined, existing)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('throws MissingKeyError when an encrypted database is opened without a key', async () => {
    const dir = tempDir();
    await mustOpen(dir, randomBytes(32), create);
    for (const options of [create, existing]) {
      const error = await openKeyring(fs, dir, undefined, options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MissingKeyError);
      expect((error as Error).message).toContain(dir);
    }
  });

  it('throws UnexpectedKeyError when a key is given for an existing unencrypted database', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'data.log'), 'some unencrypted data');
    await expect(openKeyring(fs, dir, randomBytes(32), existing)).rejects.toThrow(UnexpectedKeyError);
    await expect(openKeyring(fs, dir, 'passphrase', existing)).rejects.toThrow(/not encrypted/);
    expect(readdirSync(dir)).toEqual(['data.log']);
  });

  it('throws InvalidKeyError for an empty passphrase, a raw key of the wrong size, or another type', async () => {
    const dir = tempDir();
    await expect(openKeyring(fs, dir, '', create)).rejects.toThrow(InvalidKeyError);
    await expect(openKeyring(fs, dir, new Uint8Array(16), create)).rejects.toThrow(/32 bytes, got 16/);
    await expect(openKeyring(fs, dir, 42 as unknown as string, create)).rejects.toThrow(/got number/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('throws KeyringCorruptError, naming the file, for a damaged KEYRING, with or without a key', async () => {
    const dir = tempDir();
    const key = randomBytes(32);
    await mustOpen(dir, key, create);
    const file = path.join(dir, KEYRING_FILE);
    const bytes = readFileSync(file);
    bytes[40]! ^= 1;
    writeFileSync(file, bytes);
    await expect(openKeyring(fs, dir, key, existing)).rejects.toThrow(KeyringCorruptError);
    await expect(openKeyring(fs, dir, undefined, existing)).rejects.toThrow(/KEYRING: not a usable KilnDB keyring: checksum/);
    writeFileSync(file, bytes.subarray(0, 30));
    await expect(openKeyring(fs, dir, key, create)).rejects.toThrow(/30 bytes long/);
  });
});

describe('openKeyring: creating the keyring under faults', () => {
  const crashModes: CrashOptions[] = [{ mode: 'random' }, { mode: 'drop-unsynced' }, { mode: 'keep-unsynced' }];

  it('leaves either no keyring or a complete one at every crash point, and a returned cipher means a durable keyring', async () => {
    const key = randomBytes(32);
    const clean = new FaultyFileSystem(tempDir());
    await mustOpenWith(clean, key);
    const total = clean.mutationCount;
    expect(total).toBeGreaterThanOrEqual(5);
    const outcomes = new Set<string>();
    for (let n = 0; n <= total; n++) {
      for (const [modeIndex, crash] of crashModes.entries()) {
        for (let seed = 1; seed <= 2; seed++) {
          const dir = tempDir();
          const faulty = new FaultyFileSystem(dir, { seed: seed * 1000 + n * 10 + modeIndex });
          faulty.crashAfter(n, crash);
          const outcome = await openKeyring(faulty, dir, key, create).then(
            () => 'opened',
            (error: unknown) => error,
          );
          if (n < total) expect(outcome).toBeInstanceOf(SimulatedCrashError);
          else {
            expect(outcome).toBe('opened');
            await faulty.crash(crash);
          }
          await cleanStaleTemps(fs, dir);
          const names = readdirSync(dir);
          expect(names.filter((name) => name !== KEYRING_FILE)).toEqual([]);
          if (names.includes(KEYRING_FILE)) {
            const cipher = await mustOpen(dir, key);
            expect(decode(cipher.open(cipher.seal(text('after crash'))))).toBe('after crash');
            outcomes.add('complete');
          } else {
            expect(n).toBeLessThan(total);
            await expect(openKeyring(fs, dir, key, existing)).rejects.toThrow(UnexpectedKeyError);
            await mustOpen(dir, key, create);
            outcomes.add('absent');
          }
        }
      }
    }
    expect([...outcomes].sort()).toEqual(['absent', 'complete']);
  });

  for (const op of ['open', 'write', 'sync', 'rename'] as const) {
    it(`rejects with the I/O error and leaves no keyring when ${op} fails`, async () => {
      const dir = tempDir();
      const faulty = new FaultyFileSystem(dir);
      faulty.failOn({ op, code: 'EIO' });
      await expect(openKeyring(faulty, dir, randomBytes(32), create)).rejects.toMatchObject({ code: 'EIO' });
      expect(readdirSync(dir)).toEqual([]);
    });
  }
});

async function mustOpenWith(faulty: FaultyFileSystem, key: Uint8Array): Promise<void> {
  const cipher = await openKeyring(faulty, faulty.root, key, create);
  expect(cipher).toBeDefined();
}
