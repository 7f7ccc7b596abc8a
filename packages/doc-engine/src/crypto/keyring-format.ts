import { crc32 } from '@kilndb/wal-format';
import { KeyringCorruptError } from './errors.js';

/** The name of the keyring file in an encrypted database's directory. */
export const KEYRING_FILE = 'KEYRING';

const MAGIC = new TextEncoder().encode('KILNKEYR');
export const KEYRING_VERSION = 1;
export const KEYRING_SIZE = 92;
export const SALT_SIZE = 32;
export const KEY_CHECK_SIZE = 32;
/** Bytes 0..56: everything the key check authenticates. */
export const KEY_CHECK_OFFSET = 56;
const CRC_OFFSET = 88;

export const CIPHER_AES_256_GCM = 1;

/**
 * How the 256-bit master key comes from `encryptionKey`: a passphrase goes through scrypt or Argon2id;
 * a raw 32-byte key is already uniform, so it only goes through HKDF with the database's salt.
 */
export type KdfSpec =
  | { readonly kind: 'raw' }
  | { readonly kind: 'scrypt'; readonly cost: number; readonly blockSize: number; readonly parallelization: number }
  | { readonly kind: 'argon2id'; readonly memoryKiB: number; readonly passes: number; readonly parallelism: number };

const KDF_IDS = { raw: 0, scrypt: 1, argon2id: 2 } as const;

export interface KeyringHeader {
  readonly kdf: KdfSpec;
  readonly salt: Uint8Array;
  /** HMAC-SHA256 over bytes 0..56 under a key derived from the master key; proves the key right at open. */
  readonly keyCheck: Uint8Array;
}

function kdfParams(kdf: KdfSpec): [number, number, number] {
  switch (kdf.kind) {
    case 'raw':
      return [0, 0, 0];
    case 'scrypt':
      return [kdf.cost, kdf.blockSize, kdf.parallelization];
    case 'argon2id':
      return [kdf.memoryKiB, kdf.passes, kdf.parallelism];
  }
}

/** Bytes 0..56 of a keyring: magic, version, cipher, KDF and its parameters, salt. */
export function encodeKeyringPrefix(kdf: KdfSpec, salt: Uint8Array): Uint8Array {
  if (salt.length !== SALT_SIZE) throw new RangeError(`keyring salt must be ${SALT_SIZE} bytes, got ${salt.length}`);
  const bytes = new Uint8Array(KEY_CHECK_OFFSET);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  bytes[8] = KEYRING_VERSION;
  bytes[9] = CIPHER_AES_256_GCM;
  bytes[10] = KDF_IDS[kdf.kind];
  bytes[11] = 0;
  const [a, b, c] = kdfParams(kdf);
  view.setUint32(12, a, true);
  view.setUint32(16, b, true);
  view.setUint32(20, c, true);
  bytes.set(salt, 24);
  return bytes;
}

/** The whole keyring file: the prefix, its key check, and a CRC32 of all of it so damage is told apart from a wrong key. */
export function encodeKeyring(prefix: Uint8Array, keyCheck: Uint8Array): Uint8Array {
  if (prefix.length !== KEY_CHECK_OFFSET || keyCheck.length !== KEY_CHECK_SIZE) {
    throw new RangeError('keyring prefix or key check has the wrong size');
  }
  const bytes = new Uint8Array(KEYRING_SIZE);
  bytes.set(prefix, 0);
  bytes.set(keyCheck, KEY_CHECK_OFFSET);
  new DataView(bytes.buffer).setUint32(CRC_OFFSET, crc32(bytes, 0, CRC_OFFSET), true);
  return bytes;
}

/*
 * Bounds on the KDF parameters a keyring may ask for. They stop a damaged or hostile KEYRING from making
 * open allocate gigabytes or spin for hours; they are far above the defaults so real databases never hit them.
 */
const SCRYPT_MAX_COST = 2 ** 22;
const SCRYPT_MAX_BLOCK_SIZE = 32;
const SCRYPT_MAX_PARALLELIZATION = 16;
const ARGON2_MAX_MEMORY_KIB = 2 ** 21;
const ARGON2_MAX_PASSES = 64;
const ARGON2_MAX_PARALLELISM = 16;

function decodeKdf(path: string, id: number, a: number, b: number, c: number): KdfSpec {
  const corrupt = (problem: string): KeyringCorruptError => new KeyringCorruptError(path, problem);
  switch (id) {
    case KDF_IDS.raw:
      if (a !== 0 || b !== 0 || c !== 0) throw corrupt('raw-key KDF with non-zero parameters');
      return { kind: 'raw' };
    case KDF_IDS.scrypt: {
      const powerOfTwo = a >= 2 && (a & (a - 1)) === 0;
      if (!powerOfTwo || a > SCRYPT_MAX_COST) throw corrupt(`scrypt cost N=${a} is not a power of two in [2, 2^22]`);
      if (b < 1 || b > SCRYPT_MAX_BLOCK_SIZE) throw corrupt(`scrypt block size r=${b} is outside [1, ${SCRYPT_MAX_BLOCK_SIZE}]`);
      if (c < 1 || c > SCRYPT_MAX_PARALLELIZATION) {
        throw corrupt(`scrypt parallelization p=${c} is outside [1, ${SCRYPT_MAX_PARALLELIZATION}]`);
      }
      return { kind: 'scrypt', cost: a, blockSize: b, parallelization: c };
    }
    case KDF_IDS.argon2id:
      if (a < 8 || a > ARGON2_MAX_MEMORY_KIB) throw corrupt(`argon2id memory ${a} KiB is outside [8, ${ARGON2_MAX_MEMORY_KIB}]`);
      if (b < 1 || b > ARGON2_MAX_PASSES) throw corrupt(`argon2id passes ${b} is outside [1, ${ARGON2_MAX_PASSES}]`);
      if (c < 1 || c > ARGON2_MAX_PARALLELISM) {
        throw corrupt(`argon2id parallelism ${c} is outside [1, ${ARGON2_MAX_PARALLELISM}]`);
      }
      return { kind: 'argon2id', memoryKiB: a, passes: b, parallelism: c };
    default:
      throw corrupt(`unknown key-derivation function id ${id}`);
  }
}

/** Parses and validates a keyring file's bytes; throws `KeyringCorruptError` naming `path` and the fault. */
export function decodeKeyring(path: string, bytes: Uint8Array): KeyringHeader {
  if (bytes.length < MAGIC.length + 1 || !MAGIC.every((byte, i) => bytes[i] === byte)) {
    throw new KeyringCorruptError(path, 'bad magic (expected "KILNKEYR")');
  }
  const version = bytes[8];
  if (version !== KEYRING_VERSION) {
    throw new KeyringCorruptError(path, `format version ${version} is not one this KilnDB reads (${KEYRING_VERSION})`);
  }
  if (bytes.length !== KEYRING_SIZE) {
    throw new KeyringCorruptError(path, `it is ${bytes.length} bytes long, a version ${KEYRING_VERSION} keyring is ${KEYRING_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storedCrc = view.getUint32(CRC_OFFSET, true);
  const computedCrc = crc32(bytes, 0, CRC_OFFSET);
  if (storedCrc !== computedCrc) {
    throw new KeyringCorruptError(path, `checksum mismatch (stored ${storedCrc}, computed ${computedCrc})`);
  }
  if (bytes[9] !== CIPHER_AES_256_GCM) throw new KeyringCorruptError(path, `unknown cipher id ${bytes[9]}`);
  if (bytes[11] !== 0) throw new KeyringCorruptError(path, `reserved byte 11 is ${bytes[11]}, expected 0`);
  const kdf = decodeKdf(path, bytes[10] ?? -1, view.getUint32(12, true), view.getUint32(16, true), view.getUint32(20, true));
  return {
    kdf,
    salt: bytes.slice(24, 24 + SALT_SIZE),
    keyCheck: bytes.slice(KEY_CHECK_OFFSET, KEY_CHECK_OFFSET + KEY_CHECK_SIZE),
  };
}
