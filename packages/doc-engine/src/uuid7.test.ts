import { describe, expect, it } from 'vitest';
import { Uuid7Generator, uuid7 } from './uuid7.js';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp at the front of a UUIDv7. */
function timestampOf(id: string): number {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('uuid7', () => {
  it('has the version 7 and RFC 9562 variant bits, lower-case and hyphenated', () => {
    for (let i = 0; i < 1000; i++) expect(uuid7()).toMatch(UUID7);
  });

  it('carries the clock milliseconds in its first 48 bits', () => {
    const generator = new Uuid7Generator(() => 0x0123_4567_89ab);
    const id = generator.next();
    expect(id.startsWith('01234567-89ab-7')).toBe(true);
    expect(timestampOf(id)).toBe(0x0123_4567_89ab);
  });

  it('sorts in creation order within one millisecond and across milliseconds', () => {
    let now = 1_700_000_000_000;
    const generator = new Uuid7Generator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i % 1000 === 999) now++;
      ids.push(generator.next());
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('moves the timestamp ahead instead of repeating when one millisecond runs out of counter values', () => {
    const now = 1_700_000_000_000;
    const generator = new Uuid7Generator(() => now);
    const ids = Array.from({ length: 10_000 }, () => generator.next());
    expect([...ids].sort()).toEqual(ids);
    expect(timestampOf(ids.at(-1)!)).toBeGreaterThan(now);
    expect(timestampOf(ids[0]!)).toBe(now);
  });

  it('never goes back when the clock does', () => {
    let now = 2_000_000;
    const generator = new Uuid7Generator(() => now);
    const first = generator.next();
    now = 1_000_000;
    const second = generator.next();
    expect(second > first).toBe(true);
    expect(timestampOf(second)).toBe(2_000_000);
  });
});
