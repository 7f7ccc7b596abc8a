import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@kilndb/snapshot/testing';
import { JsonByteWriter } from './json-bytes.js';

/** Characters from every class the writer treats apart: plain ASCII, escaped, DEL, two- and three-byte UTF-8, surrogate pairs and lone halves. */
const CHARACTERS = ['a', 'Z', '7', ' ', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', 'ß', '€', '中', '😀', '\ud800', '\udfff', '/', '<'];

const NUMBERS = [
  0, -0, 1, -1, 9, 10, 99, 100, 12345678, 99_999_999, 100_000_000, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 + 5,
  1_700_000_000_123, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 60, 1e21, 1e-7, 0.1, -2.5, 3.141592653589793,
  Number.MIN_VALUE, Number.MAX_VALUE, 5e-324, 123456789012345680000,
];

function randomString(random: SeededRandom): string {
  // Mostly short (the byte loop), sometimes past it (the native path), sometimes all plain ASCII.
  const length = random.chance(0.7) ? random.int(20) : 20 + random.int(200);
  const plain = random.chance(0.4);
  let text = '';
  for (let i = 0; i < length; i++) text += plain ? String.fromCharCode(0x20 + random.int(0x5f)) : (CHARACTERS[random.int(CHARACTERS.length)] as string);
  return text;
}

function randomNumber(random: SeededRandom): number {
  const pick = random.next();
  if (pick < 0.4) return NUMBERS[random.int(NUMBERS.length)] as number;
  if (pick < 0.7) return Math.floor((random.next() - 0.5) * 2 ** (1 + random.int(53)));
  return (random.next() - 0.5) * 10 ** (random.int(40) - 20);
}

function randomValue(random: SeededRandom, depth: number): unknown {
  const pick = random.next() * (depth > 4 ? 5 : 7);
  if (pick < 1) return randomString(random);
  if (pick < 2) return randomNumber(random);
  if (pick < 3) return random.chance(0.5);
  if (pick < 4) return null;
  if (pick < 5) return randomString(random);
  if (pick < 6) return Array.from({ length: random.int(5) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = random.chance(0.2) ? (Object.create(null) as Record<string, unknown>) : {};
  const fields = random.int(6);
  for (let i = 0; i < fields; i++) object[randomString(random)] = randomValue(random, depth + 1);
  return object;
}

/** Everything `writer` holds, copied out; the writer then starts over. */
function taken(writer: JsonByteWriter): Buffer {
  const out = Buffer.alloc(writer.length);
  writer.copy(out, 0, 0, writer.length);
  writer.discard();
  return out;
}

function written(value: unknown): Buffer {
  const writer = new JsonByteWriter();
  writer.value(value);
  return taken(writer);
}

const jsonBytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('JsonByteWriter', () => {
  it('writes the bytes of JSON.stringify for 5,000 random JSON values', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const value = randomValue(new SeededRandom(seed), 0);
      const bytes = written(value);
      if (!bytes.equals(jsonBytes(value))) expect({ seed, got: bytes.toString() }).toEqual({ seed, got: JSON.stringify(value) });
    }
  });

  it('writes every number as JSON does: integers on both sides of 2^31, 10^8 and 2^53, -0 as 0, fractions and exponents', () => {
    for (const number of NUMBERS) expect(written(number).toString(), String(number)).toBe(JSON.stringify(number));
    for (let seed = 1; seed <= 2000; seed++) {
      const number = randomNumber(new SeededRandom(seed));
      expect(written(number).toString(), String(number)).toBe(JSON.stringify(number));
    }
  });

  it('writes every class of character, in names too, as JSON does: escapes, DEL, multi-byte UTF-8, pairs and lone surrogates', () => {
    for (const character of CHARACTERS) {
      for (const text of [character, `ab${character}cd`, `${'x'.repeat(30)}${character}`, `${character}${'y'.repeat(5000)}`]) {
        expect(written(text).equals(jsonBytes(text)), JSON.stringify(text)).toBe(true);
        const named = { [text]: 1, plain: text };
        expect(written(named).equals(jsonBytes(named)), JSON.stringify(named)).toBe(true);
      }
    }
  });

  it('writes an own "__proto__" field (as JSON.parse makes one) and skips inherited enumerable names, as JSON does', () => {
    const parsed: unknown = JSON.parse('{"__proto__":{"a":1},"b":[true,null]}');
    expect(written(parsed).toString()).toBe('{"__proto__":{"a":1},"b":[true,null]}');
    const prototype = Object.prototype as Record<string, unknown>;
    Object.defineProperty(prototype, 'inheritedName', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(written({ own: 1 }).toString()).toBe('{"own":1}');
    } finally {
      delete prototype['inheritedName'];
    }
  });

  it('grows past its first scratch space and keeps what it wrote before', () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field${i}`, `value ${i} ${'z'.repeat(i % 40)}`]));
    const large = { text: 'é'.repeat(100_000), wide, list: Array.from({ length: 3000 }, (_, i) => i * 1.5) };
    expect(written(large).equals(jsonBytes(large))).toBe(true);
  });

  it('writes several values and raw UTF-8 between them; copy hands them out and discard starts over', () => {
    const writer = new JsonByteWriter();
    expect(writer.utf8('héllo')).toBe(6);
    writer.value({ a: 1 });
    expect(writer.utf8(' ')).toBe(1);
    writer.value([2, 'b']);
    expect(writer.length).toBe(6 + 7 + 1 + 7);
    const first = taken(writer);
    expect(first.toString()).toBe('héllo{"a":1} [2,"b"]');
    expect(writer.length).toBe(0);
    writer.value('again');
    expect(taken(writer).toString()).toBe('"again"');
    // The first buffer is not the writer's scratch: writing again left it as it was.
    expect(first.toString()).toBe('héllo{"a":1} [2,"b"]');
    const target = Buffer.alloc(8, 0x2e);
    writer.value([1, 2]);
    writer.copy(target, 2, 1, 4);
    expect(target.toString()).toBe('..1,2...');
    expect(() => { writer.copy(target, 0, 0, 6); }).toThrow(RangeError);
  });

  it('refuses what JSON could not give back with a TypeError naming it; discard forgets a half-written value', () => {
    const writer = new JsonByteWriter();
    expect(() => { writer.value({ a: undefined }); }).toThrow('undefined is not a JSON value');
    writer.discard();
    expect(() => { writer.value([1, Number.NaN]); }).toThrow('NaN is not a JSON value');
    writer.discard();
    expect(() => { writer.value({ f: () => 1 }); }).toThrow('function is not a JSON value');
    writer.discard();
    expect(() => { writer.value({ when: new Date(0) }); }).toThrow('a Date is not a plain JSON object');
    writer.discard();
    // eslint-disable-next-line no-sparse-arrays
    expect(() => { writer.value([1, , 3]); }).toThrow('a hole at [1] is not a JSON value');
    writer.discard();
    expect(writer.length).toBe(0);
    writer.value({ ok: true });
    expect(taken(writer).toString()).toBe('{"ok":true}');
  });
});
