import { randomFillSync } from 'node:crypto';

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const POOL_BYTES = 4096;

/**
 * Generates RFC 9562 version 7 UUIDs: 48 bits of unix milliseconds, then a 12-bit counter (rand_a) that
 * restarts at a random value below 2048 each millisecond, then 62 random bits. Within one generator the
 * strings sort in creation order; when the counter runs out inside one millisecond the timestamp field
 * moves one millisecond ahead rather than repeat or go back.
 */
export class Uuid7Generator {
  private lastMs = -1;
  private counter = 0;
  private readonly pool = new Uint8Array(POOL_BYTES);
  private poolAt = POOL_BYTES;
  private readonly bytes = new Uint8Array(16);
  private readonly text = Buffer.alloc(36);

  constructor(private readonly clock: () => number = Date.now) {}

  next(): string {
    const now = Math.floor(this.clock());
    if (now > this.lastMs) {
      this.lastMs = now;
      this.counter = this.randomByte() | ((this.randomByte() & 0x07) << 8);
    } else if (this.counter < 0xfff) {
      this.counter++;
    } else {
      this.lastMs++;
      this.counter = this.randomByte() | ((this.randomByte() & 0x07) << 8);
    }
    const b = this.bytes;
    const ms = this.lastMs;
    const high = Math.floor(ms / 0x1_0000_0000);
    const low = ms >>> 0;
    b[0] = (high >>> 8) & 0xff;
    b[1] = high & 0xff;
    b[2] = low >>> 24;
    b[3] = (low >>> 16) & 0xff;
    b[4] = (low >>> 8) & 0xff;
    b[5] = low & 0xff;
    b[6] = 0x70 | (this.counter >>> 8);
    b[7] = this.counter & 0xff;
    for (let i = 8; i < 16; i++) b[i] = this.randomByte();
    b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
    return format(b, this.text);
  }

  private randomByte(): number {
    if (this.poolAt === POOL_BYTES) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    return this.pool[this.poolAt++] ?? 0;
  }
}

/**
 * The hyphenated hex form, built in a byte buffer and read back as one flat string: a string glued from
 * pieces would be flattened again by every Map lookup and JSON.stringify it meets.
 */
function format(b: Uint8Array, text: Buffer): string {
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[at++] = 0x2d;
    const byte = b[i] ?? 0;
    text[at++] = HEX_DIGITS[byte >> 4] ?? 0;
    text[at++] = HEX_DIGITS[byte & 15] ?? 0;
  }
  return text.toString('latin1', 0, 36);
}

const defaultGenerator = new Uuid7Generator();

/** A fresh UUIDv7 string (lower-case, hyphenated). */
export function uuid7(): string {
  return defaultGenerator.next();
}
