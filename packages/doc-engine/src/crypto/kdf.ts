import * as nodeCrypto from 'node:crypto';
import { InvalidKeyError } from './errors.js';
import type { KdfSpec } from './keyring-format.js';

/** What `Database.open(dir, { encryptionKey })` accepts: a passphrase, or a raw 256-bit key. */
export type EncryptionKey = string | Uint8Array;

export const MASTER_KEY_SIZE = 32;

/**
 * scrypt N=2^15, r=8, p=1: 32 MiB of memory and about a quarter of a second on a small server, the cost
 * of each open with a passphrase. The parameters are stored in the keyring, so raising them later only
 * affects new databases.
 */
export const DEFAULT_SCRYPT: KdfSpec = { kind: 'scrypt', cost: 2 ** 15, blockSize: 8, parallelization: 1 };

/** Argon2id with 64 MiB, 3 passes, one lane: the second recommended profile of RFC 9106 with a single lane. */
export const DEFAULT_ARGON2ID: KdfSpec = { kind: 'argon2id', memoryKiB: 64 * 1024, passes: 3, parallelism: 1 };

interface Argon2Parameters {
  message: Uint8Array;
  nonce: Uint8Array;
  parallelism: number;
  tagLength: number;
  memory: number;
  passes: number;
}
type Argon2Function = (
  algorithm: 'argon2id',
  parameters: Argon2Parameters,
  callback: (error: Error | null, derivedKey: Buffer) => void,
) => void;

/** `crypto.argon2` where this Node.js has it (added in Node 24.7); Node 20 and 22 do not. */
export function runtimeArgon2(): Argon2Function | undefined {
  if (!('argon2' in nodeCrypto)) return undefined;
  const candidate = (nodeCrypto as unknown as Record<string, unknown>)['argon2'];
  return typeof candidate === 'function' ? (candidate as Argon2Function) : undefined;
}

/** Rejects keys that cannot be right whatever the database: wrong type, empty passphrase, raw key not 32 bytes. */
export function validateEncryptionKey(key: unknown): asserts key is EncryptionKey {
  if (typeof key === 'string') {
    if (key.length === 0) throw new InvalidKeyError('the passphrase is empty');
    return;
  }
  if (key instanceof Uint8Array) {
    if (key.length !== MASTER_KEY_SIZE) {
      throw new InvalidKeyError(`a raw key must be ${MASTER_KEY_SIZE} bytes, got ${key.length}`);
    }
    return;
  }
  throw new InvalidKeyError(`expected a passphrase string or a ${MASTER_KEY_SIZE}-byte Uint8Array, got ${typeof key}`);
}

/** The KDF a new database records: HKDF only for a raw key; Argon2id for a passphrase when the runtime has it, else scrypt. */
export function defaultKdfFor(key: EncryptionKey): KdfSpec {
  if (typeof key !== 'string') return { kind: 'raw' };
  return runtimeArgon2() === undefined ? DEFAULT_SCRYPT : DEFAULT_ARGON2ID;
}

/** A passphrase's bytes: Unicode NFC first, so the same passphrase typed on systems that compose accents differently matches. */
function passphraseBytes(passphrase: string): Buffer {
  return Buffer.from(passphrase.normalize('NFC'), 'utf8');
}

function scrypt(passphrase: Buffer, salt: Uint8Array, cost: number, blockSize: number, parallelization: number): Promise<Buffer> {
  const memoryNeeded = 128 * cost * blockSize * parallelization;
  return new Promise((resolve, reject) => {
    nodeCrypto.scrypt(
      passphrase,
      salt,
      MASTER_KEY_SIZE,
      { N: cost, r: blockSize, p: parallelization, maxmem: 2 * memoryNeeded + 1024 * 1024 },
      (error, derived) => {
        if (error) reject(error);
        else resolve(derived);
      },
    );
  });
}

function argon2id(argon2: Argon2Function, passphrase: Buffer, salt: Uint8Array, memoryKiB: number, passes: number, parallelism: number) {
  return new Promise<Buffer>((resolve, reject) => {
    argon2(
      'argon2id',
      { message: passphrase, nonce: salt, memory: memoryKiB, passes, parallelism, tagLength: MASTER_KEY_SIZE },
      (error, derived) => {
        if (error) reject(error);
        else resolve(derived);
      },
    );
  });
}

/**
 * The database's 256-bit master key. The caller has checked that the key's kind (passphrase or raw)
 * matches `kdf`, and that the runtime offers the KDF (`runtimeArgon2()` for Argon2id).
 */
export async function deriveMasterKey(key: EncryptionKey, kdf: KdfSpec, salt: Uint8Array): Promise<Buffer> {
  switch (kdf.kind) {
    case 'raw':
      if (typeof key === 'string') throw new InvalidKeyError('a raw-key database needs a 32-byte key, not a passphrase');
      // The raw key is already uniform; HKDF with the per-database salt keeps two databases sharing a raw key apart.
      return Buffer.from(nodeCrypto.hkdfSync('sha256', key, salt, 'KilnDB master key v1 raw', MASTER_KEY_SIZE));
    case 'scrypt': {
      if (typeof key !== 'string') throw new InvalidKeyError('a passphrase database needs a passphrase, not a raw key');
      const bytes = passphraseBytes(key);
      try {
        return await scrypt(bytes, salt, kdf.cost, kdf.blockSize, kdf.parallelization);
      } finally {
        bytes.fill(0);
      }
    }
    case 'argon2id': {
      if (typeof key !== 'string') throw new InvalidKeyError('a passphrase database needs a passphrase, not a raw key');
      const argon2 = runtimeArgon2();
      if (argon2 === undefined) throw new Error('argon2id is not available in this runtime');
      const bytes = passphraseBytes(key);
      try {
        return await argon2id(argon2, bytes, salt, kdf.memoryKiB, kdf.passes, kdf.parallelism);
      } finally {
        bytes.fill(0);
      }
    }
  }
}
