export { openKeyring, type OpenKeyringOptions } from './keyring.js';
export { SEALED_OVERHEAD, type EntryCipher } from './entry-cipher.js';
export { type EncryptionKey } from './kdf.js';
export { KEYRING_FILE } from './keyring-format.js';
export {
  WrongKeyError,
  MissingKeyError,
  UnexpectedKeyError,
  InvalidKeyError,
  KeyringCorruptError,
  UnsupportedKdfError,
  DecryptionError,
} from './errors.js';
