import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEntryCipher, SEALED_OVERHEAD } from './entry-cipher.js';
import { DecryptionError } from './errors.js';

const masterKey = randomBytes(32);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const sessionOf = (sealed: Uint8Array): string => Buffer.from(sealed.subarray(1, 33)).toString('hex');
const counterOf = (sealed: Uint8Array): bigint => Buffer.from(sealed).readBigUInt64LE(33);

function expectDecryptionError(open: () => unknown): void {
  expect(open).toThrow(DecryptionError);
}

describe('entry cipher: sealing', () => {
  it('round-trips entries of many sizes, the empty one included', () => {
    const cipher = createEntryCipher(masterKey);
    for (const size of [0, 1, 15, 16, 17, 100, 4096, 70_000]) {
      const plain = randomBytes(size);
      const sealed = cipher.seal(plain);
      expect(sealed.length).toBe(size + SEALED_OVERHEAD);
      expect(Buffer.from(cipher.open(sealed)).equals(plain)).toBe(true);
    }
  });

  it('lays out format byte, session id, counter, ciphertext, tag; and hides the plaintext', () => {
    const cipher = createEntryCipher(masterKey);
    const plain = text('{"cmd":"INSERT","collection":"secrets","key":"k","value":{"pin":"1234"}}');
    const first = cipher.seal(plain);
    const second = cipher.seal(plain);
    expect(first[0]).toBe(1);
    expect(sessionOf(first)).toBe(sessionOf(second));
    expect(counterOf(first)).toBe(0n);
    expect(counterOf(second)).toBe(1n);
    expect(Buffer.from(first).indexOf(Buffer.from('secrets'))).toBe(-1);
    expect(Buffer.from(first.subarray(41)).equals(Buffer.from(second.subarray(41)))).toBe(false);
  });

  it('never repeats a (session, counter) nonce across many seals, and each open starts a new session', () => {
    const nonces = new Set<string>();
    const sessions = new Set<string>();
    for (let open = 0; open < 5; open++) {
      const cipher = createEntryCipher(masterKey);
      for (let i = 0; i < 2000; i++) {
        const sealed = cipher.seal(text(`entry ${i}`));
        nonces.add(`${sessionOf(sealed)}:${counterOf(sealed)}`);
        sessions.add(sessionOf(sealed));
      }
    }
    expect(nonces.size).toBe(10_000);
    expect(sessions.size).toBe(5);
  });

  it('opens entries sealed by earlier sessions over the same master key', () => {
    const earlier = createEntryCipher(masterKey);
    const later = createEntryCipher(masterKey);
    const fromEarlier = earlier.seal(text('written yesterday'));
    const fromLater = later.seal(text('written today'));
    expect(sessionOf(fromEarlier)).not.toBe(sessionOf(fromLater));
    expect(new TextDecoder().decode(later.open(fromEarlier))).toBe('written yesterday');
    expect(new TextDecoder().decode(earlier.open(fromLater))).toBe('written today');
  });

  it('keeps opening entries of hundreds of past sessions (its subkey cache evicts, it does not forget how)', () => {
    const reader = createEntryCipher(masterKey);
    const sealedBySession = Array.from({ length: 300 }, (_, i) => createEntryCipher(masterKey).seal(text(`session ${i}`)));
    for (let round = 0; round < 2; round++) {
      sealedBySession.forEach((sealed, i) => {
        expect(new TextDecoder().decode(reader.open(sealed))).toBe(`session ${i}`);
      });
    }
  });
});

describe('entry cipher: refusing altered entries', () => {
  it('throws DecryptionError when any single byte of a sealed entry is altered', () => {
    const cipher = createEntryCipher(masterKey);
    const sealed = cipher.seal(randomBytes(100));
    for (let at = 0; at < sealed.length; at++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const altered = Uint8Array.from(sealed);
        altered[at]! ^= flip;
        expectDecryptionError(() => cipher.open(altered));
      }
    }
  });

  it('throws DecryptionError for every truncation and for appended bytes', () => {
    const cipher = createEntryCipher(masterKey);
    const sealed = cipher.seal(randomBytes(40));
    for (let length = 0; length < sealed.length; length++) {
      expectDecryptionError(() => cipher.open(sealed.subarray(0, length)));
    }
    expectDecryptionError(() => cipher.open(Buffer.concat([sealed, Buffer.from([0])])));
  });

  it('throws DecryptionError for an entry sealed under another master key, and says why', () => {
    const sealed = createEntryCipher(randomBytes(32)).seal(text('not yours'));
    const cipher = createEntryCipher(masterKey);
    expect(() => cipher.open(sealed)).toThrow(/authentication failed/);
  });

  it('names a too-short entry and an unknown format byte', () => {
    const cipher = createEntryCipher(masterKey);
    expect(() => cipher.open(new Uint8Array(10))).toThrow(/10 bytes, shorter than the 57-byte/);
    const sealed = cipher.seal(text('x'));
    sealed[0] = 9;
    expect(() => cipher.open(sealed)).toThrow(/format byte 9/);
  });

  it('opens entries inside a larger buffer (a view with an offset) and returns only the plaintext', () => {
    const cipher = createEntryCipher(masterKey);
    const sealed = cipher.seal(text('in the middle'));
    const page = new Uint8Array(sealed.length + 20);
    page.set(sealed, 7);
    expect(new TextDecoder().decode(cipher.open(page.subarray(7, 7 + sealed.length)))).toBe('in the middle');
  });
});
