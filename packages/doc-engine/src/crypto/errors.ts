import { KilnError, KilnTypeError } from '@kilndb/wal-format';

/** The encryption key does not open this database (a different passphrase or raw key than it was created with). */
export class WrongKeyError extends KilnError {
  static override readonly kilnCode = 'KILN_WRONG_KEY';
  override readonly name = 'WrongKeyError';
  constructor(
    readonly directory: string,
    detail = 'the key does not match the one the database was created with',
  ) {
    super(`${directory}: wrong encryption key: ${detail}`);
  }
}

/** The database is encrypted but was opened without `encryptionKey`. */
export class MissingKeyError extends KilnError {
  static override readonly kilnCode = 'KILN_MISSING_KEY';
  override readonly name = 'MissingKeyError';
  constructor(readonly directory: string) {
    super(`${directory}: the database is encrypted; open it with its encryptionKey`);
  }
}

/** `encryptionKey` was given for a database that was created without encryption. */
export class UnexpectedKeyError extends KilnError {
  static override readonly kilnCode = 'KILN_UNEXPECTED_KEY';
  override readonly name = 'UnexpectedKeyError';
  constructor(readonly directory: string) {
    super(`${directory}: an encryptionKey was given but the database is not encrypted (it has no KEYRING file)`);
  }
}

/** The `encryptionKey` value itself is unusable (an empty passphrase, a raw key that is not 32 bytes, another type). */
export class InvalidKeyError extends KilnTypeError {
  static override readonly kilnCode = 'KILN_INVALID_KEY';
  override readonly name = 'InvalidKeyError';
  constructor(problem: string) {
    super(`invalid encryptionKey: ${problem}`);
  }
}

/** The KEYRING file is damaged or not a KilnDB keyring; `problem` says what is wrong with it. */
export class KeyringCorruptError extends KilnError {
  static override readonly kilnCode = 'KILN_KEYRING_CORRUPT';
  override readonly name = 'KeyringCorruptError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: not a usable KilnDB keyring: ${problem}`);
  }
}

/** The keyring names a key-derivation function this Node.js runtime does not provide. */
export class UnsupportedKdfError extends KilnError {
  static override readonly kilnCode = 'KILN_UNSUPPORTED_KDF';
  override readonly name = 'UnsupportedKdfError';
  constructor(
    readonly path: string,
    readonly kdf: string,
  ) {
    super(`${path}: the database key is derived with ${kdf}, which this Node.js runtime (${process.version}) does not provide`);
  }
}

/** A sealed entry failed authentication: it was altered, truncated, or sealed under another key. Nothing of it is returned. */
export class DecryptionError extends KilnError {
  static override readonly kilnCode = 'KILN_DECRYPTION';
  override readonly name = 'DecryptionError';
  constructor(readonly problem: string) {
    super(`cannot decrypt entry: ${problem}`);
  }
}
