import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { u64High, u64Low } from '@kilndb/wal-format';
import { DecryptionError } from './errors.js';

/** Seals and opens log entries with authenticated encryption; what `openKeyring` hands the database. */
export interface EntryCipher {
  /** The entry encrypted and authenticated; `SEALED_OVERHEAD` bytes longer than `plain`. */
  seal(plain: Uint8Array): Uint8Array;
  /** The plaintext of a sealed entry; throws `DecryptionError` when it was altered or sealed under another key. */
  open(sealed: Uint8Array): Uint8Array;
}

/*
 * A sealed entry: format u8 (1) · session id (32) · counter u64 LE · ciphertext · GCM tag (16).
 *
 * Why no (key, nonce) pair ever repeats: every cipher instance is one session. It draws a fresh random
 * 256-bit session id and encrypts under its own subkey, HKDF-SHA256(master key, salt = session id).
 * Within a session the nonce is a counter that only counts up (and refuses to go past 2^53), so no two
 * entries of one session share a nonce. Two sessions share a subkey only if they drew the same 256-bit id,
 * which is a 2^-256 event per pair, whatever happened on disk: nothing is persisted that a crash, a
 * restored backup, a copied directory or a second process could roll back or share.
 */
const SEALED_FORMAT = 1;
const SESSION_ID_SIZE = 32;
const COUNTER_OFFSET = 1 + SESSION_ID_SIZE;
const HEADER_SIZE = COUNTER_OFFSET + 8;
const TAG_SIZE = 16;
const NONCE_SIZE = 12;
/** Bytes a sealed entry adds to its plaintext. */
export const SEALED_OVERHEAD = HEADER_SIZE + TAG_SIZE;

const ALGORITHM = 'aes-256-gcm';
const SUBKEY_INFO = 'KilnDB entry key v1 aes-256-gcm';
/** Subkeys of past sessions kept for `open`; only authenticated sessions get in, so forged ids cannot fill it. */
const MAX_CACHED_SESSIONS = 256;

function sessionSubkey(masterKey: KeyObject, sessionId: Uint8Array): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, sessionId, SUBKEY_INFO, 32)));
}

class SessionEntryCipher implements EntryCipher {
  private counter = 0;
  private readonly sessionPrefix: Buffer;
  private readonly sealKey: KeyObject;
  private readonly sealNonce = Buffer.alloc(NONCE_SIZE);
  private readonly openNonce = Buffer.alloc(NONCE_SIZE);
  private readonly openKeys = new Map<string, KeyObject>();

  constructor(private readonly masterKey: KeyObject) {
    const sessionId = randomBytes(SESSION_ID_SIZE);
    this.sessionPrefix = Buffer.alloc(COUNTER_OFFSET);
    this.sessionPrefix[0] = SEALED_FORMAT;
    sessionId.copy(this.sessionPrefix, 1);
    this.sealKey = sessionSubkey(masterKey, sessionId);
    this.openKeys.set(sessionId.toString('latin1'), this.sealKey);
  }

  seal(plain: Uint8Array): Uint8Array {
    const counter = this.counter;
    if (counter >= Number.MAX_SAFE_INTEGER) throw new Error('entry cipher session exhausted its nonces; reopen the database');
    this.counter = counter + 1;
    const sealed = Buffer.allocUnsafe(HEADER_SIZE + plain.length + TAG_SIZE);
    this.sessionPrefix.copy(sealed, 0);
    sealed.writeUInt32LE(u64Low(counter), COUNTER_OFFSET);
    sealed.writeUInt32LE(u64High(counter), COUNTER_OFFSET + 4);
    sealed.copy(this.sealNonce, 0, COUNTER_OFFSET, HEADER_SIZE);
    const cipher = createCipheriv(ALGORITHM, this.sealKey, this.sealNonce, { authTagLength: TAG_SIZE });
    cipher.setAAD(sealed.subarray(0, HEADER_SIZE));
    const body = cipher.update(plain);
    body.copy(sealed, HEADER_SIZE);
    cipher.final();
    cipher.getAuthTag().copy(sealed, HEADER_SIZE + plain.length);
    return sealed;
  }

  open(sealed: Uint8Array): Uint8Array {
    if (sealed.length < SEALED_OVERHEAD) {
      throw new DecryptionError(`the entry is ${sealed.length} bytes, shorter than the ${SEALED_OVERHEAD}-byte sealed minimum`);
    }
    if (sealed[0] !== SEALED_FORMAT) {
      throw new DecryptionError(`unknown sealed-entry format byte ${sealed[0] ?? 0}`);
    }
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const sessionName = bytes.toString('latin1', 1, COUNTER_OFFSET);
    const cached = this.openKeys.get(sessionName);
    const key = cached ?? sessionSubkey(this.masterKey, bytes.subarray(1, COUNTER_OFFSET));
    bytes.copy(this.openNonce, 0, COUNTER_OFFSET, HEADER_SIZE);
    const tagStart = bytes.length - TAG_SIZE;
    let plain: Buffer;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, this.openNonce, { authTagLength: TAG_SIZE });
      decipher.setAAD(bytes.subarray(0, HEADER_SIZE));
      decipher.setAuthTag(bytes.subarray(tagStart));
      plain = decipher.update(bytes.subarray(HEADER_SIZE, tagStart));
      decipher.final();
    } catch {
      throw new DecryptionError('authentication failed: the entry was altered, truncated, or sealed under another key');
    }
    if (cached === undefined) this.rememberSession(sessionName, key);
    return plain;
  }

  private rememberSession(sessionName: string, key: KeyObject): void {
    if (this.openKeys.size >= MAX_CACHED_SESSIONS) {
      for (const name of this.openKeys.keys()) {
        if (this.openKeys.get(name) !== this.sealKey) {
          this.openKeys.delete(name);
          break;
        }
      }
    }
    this.openKeys.set(sessionName, key);
  }
}

/** A new session over `masterKey`: a fresh random session id, so its nonces are new whatever came before. */
export function createEntryCipher(masterKey: Uint8Array): EntryCipher {
  return new SessionEntryCipher(createSecretKey(masterKey));
}
