import { constants } from 'node:buffer';
import { describeJsonPart, ownNamesNeedCheck } from './json-value.js';

/** The most bytes one value may take: a reader turns them into one string, and a longer one does not exist. */
export const MAX_JSON_BYTES = constants.MAX_STRING_LENGTH;
/** The most bytes a writer holds at once (several values): the largest Buffer. */
const MAX_SCRATCH_BYTES = constants.MAX_LENGTH;

/** Scratch space a writer starts with, and keeps between uses unless one use grew it past `KEPT_SCRATCH_BYTES`. */
const START_SCRATCH_BYTES = 16 * 1024;
const KEPT_SCRATCH_BYTES = 1024 * 1024;
/** Strings up to this length are written by the JavaScript loop; longer ones are checked once and written natively. */
const LOOP_STRING_MAX_LENGTH = 24;
/** Longer strings are measured before they are written, so room is not asked for three bytes per character. */
const MEASURED_STRING_MIN_LENGTH = 4096;
/** What JSON writes escaped (a quote, a backslash, a control character) or, unpaired, as \uXXXX (a surrogate). */
// eslint-disable-next-line no-control-regex -- control characters are among what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Writes JSON as UTF-8 bytes, the same bytes `Buffer.from(JSON.stringify(value))` holds, with no string in
 * between: the log holds every written document as JSON, and building that string, measuring it and copying
 * it out was the largest single cost of a durable write. The value must be one the JSON check passed
 * (`copyJsonValue`, or JSON.parse's output): strings, finite numbers, booleans, null, arrays without holes
 * and plain objects, nested at most MAX_JSON_DEPTH deep. Anything else is a TypeError, never other bytes
 * than JSON.stringify's. Several values (and raw bytes between them) can be written, then copied out,
 * before `discard` starts over.
 */
export class JsonByteWriter {
  private buf = Buffer.allocUnsafe(START_SCRATCH_BYTES);
  private at = 0;

  /** Bytes written since the last `discard`. */
  get length(): number {
    return this.at;
  }

  /** Room for `bytes` more raw bytes: returns the buffer to write them into, at `length`; `skip` then counts them. */
  reserve(bytes: number): Buffer {
    return this.room(this.at, bytes);
  }

  /** Counts `bytes` written into the buffer `reserve` returned. */
  skip(bytes: number): void {
    this.at += bytes;
  }

  /** Appends `value` as JSON. RangeError, with nothing appended, when it takes more than MAX_JSON_BYTES. */
  value(value: unknown): void {
    const start = this.at;
    const end = this.write(value, start);
    if (end - start > MAX_JSON_BYTES) throw new RangeError(`the JSON takes ${end - start} bytes, more than the ${MAX_JSON_BYTES} a reader can make one string of`);
    this.at = end;
  }

  /** Appends `text` as UTF-8, unquoted (a name, or JSON made elsewhere); returns the bytes it took. */
  utf8(text: string): number {
    const start = this.at;
    const length = text.length;
    if (length <= LOOP_STRING_MAX_LENGTH) {
      const buf = this.room(start, length);
      for (let i = 0; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) {
          this.at = this.json(text, start);
          return this.at - start;
        }
        buf[start + i] = code;
      }
      this.at = start + length;
      return length;
    }
    this.at = this.json(text, start);
    return this.at - start;
  }

  /** Copies bytes `[start, end)` of what was written since the last `discard` into `target` at `at`. */
  copy(target: Uint8Array, at: number, start: number, end: number): void {
    if (start < 0 || end > this.at || start > end) throw new RangeError(`bytes ${start}..${end} were not written (${this.at} were)`);
    this.buf.copy(target, at, start, end);
  }

  /** Forgets what was written since the last `discard`, to start over. */
  discard(): void {
    this.at = 0;
    if (this.buf.length > KEPT_SCRATCH_BYTES) this.buf = Buffer.allocUnsafe(START_SCRATCH_BYTES);
  }

  /** The buffer, with room for `bytes` more at `at` (grown, keeping what is written, when it has not). */
  private room(at: number, bytes: number): Buffer {
    const needed = at + bytes;
    if (needed <= this.buf.length) return this.buf;
    if (needed > MAX_SCRATCH_BYTES) throw new RangeError(`the JSON would take more than ${MAX_SCRATCH_BYTES} bytes, the largest buffer`);
    const grown = Buffer.allocUnsafe(Math.min(MAX_SCRATCH_BYTES, Math.max(needed, this.buf.length * 2)));
    this.buf.copy(grown, 0, 0, at);
    this.buf = grown;
    return grown;
  }

  // The writers below take the position to write at and return the position after what they wrote: the
  // position stays in a local, not a field, on the hot path.

  private write(value: unknown, at: number): number {
    switch (typeof value) {
      case 'string':
        return this.string(value, at);
      case 'number':
        return this.number(value, at);
      case 'boolean':
        return this.ascii(value ? 'true' : 'false', at);
      case 'object':
        if (value === null) return this.ascii('null', at);
        return Array.isArray(value) ? this.array(value, at) : this.object(value as Record<string, unknown>, at);
      default:
        throw new TypeError(`${typeof value} is not a JSON value`);
    }
  }

  private object(value: Record<string, unknown>, at: number): number {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw new TypeError(`${describeJsonPart(value)} is not a plain JSON object`);
    // Own enumerable names, in JSON.stringify's order (for-in, see ownNamesNeedCheck).
    const checkOwn = ownNamesNeedCheck(value);
    this.room(at, 1)[at++] = 0x7b;
    let first = true;
    for (const name in value) {
      if (checkOwn && !Object.hasOwn(value, name)) continue;
      at = this.write(value[name], this.name(name, !first, at));
      first = false;
    }
    this.room(at, 1)[at++] = 0x7d;
    return at;
  }

  /** Writes `"name":`, after a comma unless it is the first. */
  private name(name: string, comma: boolean, at: number): number {
    const length = name.length;
    const buf = this.room(at, length + 4);
    let end = at;
    if (comma) buf[end++] = COMMA;
    buf[end++] = QUOTE;
    for (let i = 0; i < length; i++) {
      const code = name.charCodeAt(i);
      if (!plainAscii(code)) {
        if (comma) buf[at++] = COMMA;
        return this.json(`${JSON.stringify(name)}:`, at);
      }
      buf[end++] = code;
    }
    buf[end++] = QUOTE;
    buf[end++] = COLON;
    return end;
  }

  private array(value: readonly unknown[], at: number): number {
    this.room(at, 1)[at++] = 0x5b;
    for (let i = 0; i < value.length; i++) {
      if (i > 0) this.room(at, 1)[at++] = COMMA;
      if (!(i in value)) throw new TypeError(`a hole at [${i}] is not a JSON value`);
      at = this.write(value[i], at);
    }
    this.room(at, 1)[at++] = 0x5d;
    return at;
  }

  private string(text: string, at: number): number {
    const length = text.length;
    if (length <= LOOP_STRING_MAX_LENGTH) {
      // Short ASCII strings byte by byte: a native call costs more than the loop.
      const buf = this.room(at, length + 2);
      let end = at;
      buf[end++] = QUOTE;
      for (let i = 0; i < length; i++) {
        const code = text.charCodeAt(i);
        if (!plainAscii(code)) return this.json(JSON.stringify(text), at);
        buf[end++] = code;
      }
      buf[end++] = QUOTE;
      return end;
    }
    if (NEEDS_ESCAPE.test(text)) return this.json(JSON.stringify(text), at);
    // Nothing to escape: the characters as UTF-8 (at most 3 bytes each; a long string is measured), quoted.
    const buf = this.room(at, (length > MEASURED_STRING_MIN_LENGTH ? Buffer.byteLength(text) : length * 3) + 2);
    buf[at++] = QUOTE;
    at += buf.write(text, at, 'utf8');
    buf[at++] = QUOTE;
    return at;
  }

  private number(value: number, at: number): number {
    if (!Number.isFinite(value)) throw new TypeError(`${String(value)} is not a JSON value`);
    if (!Number.isSafeInteger(value)) return this.ascii(String(value), at);
    // Integers digit by digit (-0 as 0, as JSON writes it): String() would build a string to copy.
    const buf = this.room(at, 17);
    let rest = value;
    if (rest < 0) {
      buf[at++] = 0x2d;
      rest = -rest;
    }
    if (rest < EIGHT_DIGITS) return writeDigits(buf, at, rest, digitCount(rest));
    // Above 2^31 the arithmetic is on doubles: split in two numbers that fit 32 bits (a time in ms has 13 digits).
    const high = Math.floor(rest / EIGHT_DIGITS);
    at = writeDigits(buf, at, high, digitCount(high));
    return writeDigits(buf, at, rest - high * EIGHT_DIGITS, 8);
  }

  /** Writes ASCII text (a literal, or a number as String gives it). */
  private ascii(text: string, at: number): number {
    const buf = this.room(at, text.length);
    for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
    return at + text.length;
  }

  /** Writes text as UTF-8 (JSON text, or a name). */
  private json(text: string, at: number): number {
    const buf = this.room(at, Buffer.byteLength(text));
    return at + buf.write(text, at, 'utf8');
  }
}

/** Whether a UTF-16 code unit is ASCII that JSON writes as it is (no escape, one byte). */
function plainAscii(code: number): boolean {
  return code >= 0x20 && code < 0x80 && code !== QUOTE && code !== 0x5c;
}

const EIGHT_DIGITS = 100_000_000;

/** Decimal digits of `value`, an integer from 0 below 10^8. */
function digitCount(value: number): number {
  if (value < 10_000) return value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : 4;
  return value < 100_000 ? 5 : value < 1_000_000 ? 6 : value < 10_000_000 ? 7 : 8;
}

/** Writes `value`, an integer from 0 below 10^8, as `digits` digits (leading zeros when it has fewer). */
function writeDigits(buf: Buffer, at: number, value: number, digits: number): number {
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    const next = (rest / 10) | 0;
    buf[i] = 0x30 + rest - next * 10;
    rest = next;
  }
  return at + digits;
}
