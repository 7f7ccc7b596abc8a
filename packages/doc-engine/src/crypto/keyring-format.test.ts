import { randomBytes } from 'node:crypto';
import { crc32 } from '@kilndb/wal-format';
import { describe, expect, it } from 'vitest';
import { KeyringCorruptError } from './errors.js';
import { decodeKeyring, encodeKeyring, encodeKeyringPrefix, KEYRING_SIZE, type KdfSpec } from './keyring-format.js';

const PATH = '/db/KEYRING';
const salt = randomBytes(32);
const check = randomBytes(32);

function withFixedCrc(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(88, crc32(copy, 0, 88), true);
  return copy;
}

function problemOf(bytes: Uint8Array): string {
  try {
    decodeKeyring(PATH, bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringCorruptError);
    expect((error as Error).message).toContain(PATH);
    return (error as KeyringCorruptError).problem;
  }
  throw new Error('expected decodeKeyring to throw');
}

describe('keyring format', () => {
  it('lays out magic, version, cipher, kdf, parameters, salt, key check and CRC at fixed offsets', () => {
    const kdf: KdfSpec = { kind: 'scrypt', cost: 2 ** 15, blockSize: 8, parallelization: 1 };
    const bytes = Buffer.from(encodeKeyring(encodeKeyringPrefix(kdf, salt), check));
    expect(bytes.length).toBe(KEYRING_SIZE);
    expect(bytes.toString('latin1', 0, 8)).toBe('KILNKEYR');
    expect([bytes[8], bytes[9], bytes[10], bytes[11]]).toEqual([1, 1, 1, 0]);
    expect([bytes.readUInt32LE(12), bytes.readUInt32LE(16), bytes.readUInt32LE(20)]).toEqual([32768, 8, 1]);
    expect(bytes.subarray(24, 56).equals(salt)).toBe(true);
    expect(bytes.subarray(56, 88).equals(check)).toBe(true);
    expect(bytes.readUInt32LE(88)).toBe(crc32(bytes, 0, 88));
  });

  it('round-trips every KDF kind', () => {
    const kinds: KdfSpec[] = [
      { kind: 'raw' },
      { kind: 'scrypt', cost: 2 ** 14, blockSize: 8, parallelization: 2 },
      { kind: 'argon2id', memoryKiB: 65536, passes: 3, parallelism: 1 },
    ];
    for (const kdf of kinds) {
      const header = decodeKeyring(PATH, encodeKeyring(encodeKeyringPrefix(kdf, salt), check));
      expect(header.kdf).toEqual(kdf);
      expect(Buffer.from(header.salt).equals(salt)).toBe(true);
      expect(Buffer.from(header.keyCheck).equals(check)).toBe(true);
    }
  });

  it('reports any altered byte (a damaged file is not mistaken for a wrong key)', () => {
    const bytes = encodeKeyring(encodeKeyringPrefix({ kind: 'raw' }, salt), check);
    for (let at = 0; at < bytes.length; at++) {
      const altered = Uint8Array.from(bytes);
      altered[at]! ^= 0x10;
      const problem = problemOf(altered);
      if (at < 8) expect(problem).toMatch(/magic/);
      else if (at === 8) expect(problem).toMatch(/format version 17/);
      else expect(problem).toMatch(/checksum mismatch/);
    }
  });

  it('reports a wrong length, naming it', () => {
    const bytes = encodeKeyring(encodeKeyringPrefix({ kind: 'raw' }, salt), check);
    expect(problemOf(bytes.subarray(0, 50))).toMatch(/50 bytes long/);
    expect(problemOf(new Uint8Array([...bytes, 0]))).toMatch(/93 bytes long/);
    expect(problemOf(new Uint8Array(0))).toMatch(/magic/);
  });

  it('refuses out-of-range KDF parameters even with a valid checksum', () => {
    const prefix = (id: number, a: number, b: number, c: number): Uint8Array => {
      const bytes = Buffer.from(encodeKeyring(encodeKeyringPrefix({ kind: 'raw' }, salt), check));
      bytes[10] = id;
      bytes.writeUInt32LE(a, 12);
      bytes.writeUInt32LE(b, 16);
      bytes.writeUInt32LE(c, 20);
      return withFixedCrc(bytes);
    };
    expect(problemOf(prefix(0, 1, 0, 0))).toMatch(/raw-key KDF with non-zero/);
    expect(problemOf(prefix(1, 3000, 8, 1))).toMatch(/scrypt cost N=3000/);
    expect(problemOf(prefix(1, 2 ** 23, 8, 1))).toMatch(/scrypt cost/);
    expect(problemOf(prefix(1, 2 ** 15, 0, 1))).toMatch(/block size r=0/);
    expect(problemOf(prefix(1, 2 ** 15, 8, 17))).toMatch(/parallelization p=17/);
    expect(problemOf(prefix(2, 2 ** 22, 3, 1))).toMatch(/argon2id memory/);
    expect(problemOf(prefix(2, 65536, 0, 1))).toMatch(/argon2id passes 0/);
    expect(problemOf(prefix(2, 65536, 3, 0))).toMatch(/argon2id parallelism 0/);
    expect(problemOf(prefix(7, 0, 0, 0))).toMatch(/unknown key-derivation function id 7/);
    const cipher = Buffer.from(prefix(0, 0, 0, 0));
    cipher[9] = 2;
    expect(problemOf(withFixedCrc(cipher))).toMatch(/unknown cipher id 2/);
    const reserved = Buffer.from(prefix(0, 0, 0, 0));
    reserved[11] = 1;
    expect(problemOf(withFixedCrc(reserved))).toMatch(/reserved byte 11/);
  });
});
