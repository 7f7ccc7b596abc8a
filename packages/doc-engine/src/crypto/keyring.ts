import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import * as path from 'node:path';
import { isErrno, writeFileAtomic, type FileSystem } from '@kilndb/snapshot';
import { createEntryCipher, type EntryCipher } from './entry-cipher.js';
import { MissingKeyError, UnexpectedKeyError, UnsupportedKdfError, WrongKeyError } from './errors.js';
import { defaultKdfFor, deriveMasterKey, runtimeArgon2, validateEncryptionKey, type EncryptionKey } from './kdf.js';
import {
  decodeKeyring,
  encodeKeyring,
  encodeKeyringPrefix,
  KEY_CHECK_OFFSET,
  KEYRING_FILE,
  SALT_SIZE,
  type KdfSpec,
} from './keyring-format.js';

export interface OpenKeyringOptions {
  /**
   * Whether a missing KEYRING may be created when a key is given: true only while the directory holds no
   * database yet. With false, a key for a directory without KEYRING is an `UnexpectedKeyError`.
   */
  readonly create: boolean;
}

/** HMAC-SHA256 of the keyring prefix under a key only the right master key yields. */
function keyCheckFor(masterKey: Uint8Array, prefix: Uint8Array): Buffer {
  const checkKey = Buffer.from(hkdfSync('sha256', masterKey, new Uint8Array(0), 'KilnDB keyring check v1', 32));
  try {
    return createHmac('sha256', checkKey).update(prefix).digest();
  } finally {
    checkKey.fill(0);
  }
}

async function readIfPresent(fs: FileSystem, filePath: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(filePath);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function describeKind(kdf: KdfSpec): string {
  return kdf.kind === 'raw' ? 'a raw 32-byte key' : 'a passphrase';
}

async function createKeyring(fs: FileSystem, keyringPath: string, key: EncryptionKey): Promise<EntryCipher> {
  const kdf = defaultKdfFor(key);
  const prefix = encodeKeyringPrefix(kdf, randomBytes(SALT_SIZE));
  const masterKey = await deriveMasterKey(key, kdf, prefix.subarray(24, 24 + SALT_SIZE));
  try {
    await writeFileAtomic(fs, keyringPath, encodeKeyring(prefix, keyCheckFor(masterKey, prefix)));
    return createEntryCipher(masterKey);
  } finally {
    masterKey.fill(0);
  }
}

/**
 * Opens the encryption of the database in `dir`, as `Database.open` does before touching any other file.
 *
 * - KEYRING present: `encryptionKey` is required (`MissingKeyError`), must be of the kind the database was
 *   created with and derive the same master key (`WrongKeyError`); a damaged file is a `KeyringCorruptError`.
 * - KEYRING absent, no key: the database is unencrypted; resolves to `undefined`.
 * - KEYRING absent, key given: with `create`, writes a new KEYRING (atomically, so a crash leaves either no
 *   keyring or a whole one); without, `UnexpectedKeyError`.
 *
 * Each call starts a new cipher session (see entry-cipher.ts), so the result must not be shared with
 * another open of the same database.
 */
export async function openKeyring(
  fs: FileSystem,
  dir: string,
  encryptionKey: EncryptionKey | undefined,
  options: OpenKeyringOptions,
): Promise<EntryCipher | undefined> {
  if (encryptionKey !== undefined) validateEncryptionKey(encryptionKey);
  const keyringPath = path.join(dir, KEYRING_FILE);
  const bytes = await readIfPresent(fs, keyringPath);
  if (bytes === undefined) {
    if (encryptionKey === undefined) return undefined;
    if (!options.create) throw new UnexpectedKeyError(dir);
    return createKeyring(fs, keyringPath, encryptionKey);
  }
  const header = decodeKeyring(keyringPath, bytes);
  if (encryptionKey === undefined) throw new MissingKeyError(dir);
  const givenKind = typeof encryptionKey === 'string' ? 'a passphrase' : 'a raw 32-byte key';
  if ((header.kdf.kind === 'raw') !== (typeof encryptionKey !== 'string')) {
    throw new WrongKeyError(dir, `the database was created with ${describeKind(header.kdf)}, but ${givenKind} was given`);
  }
  if (header.kdf.kind === 'argon2id' && runtimeArgon2() === undefined) throw new UnsupportedKdfError(keyringPath, 'argon2id');
  const masterKey = await deriveMasterKey(encryptionKey, header.kdf, header.salt);
  try {
    const expected = keyCheckFor(masterKey, bytes.subarray(0, KEY_CHECK_OFFSET));
    if (!timingSafeEqual(expected, header.keyCheck)) throw new WrongKeyError(dir);
    return createEntryCipher(masterKey);
  } finally {
    masterKey.fill(0);
  }
}
