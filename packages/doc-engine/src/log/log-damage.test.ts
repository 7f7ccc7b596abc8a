import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@kilndb/snapshot/testing';
import { scanBuffer } from '@kilndb/wal-format';
import { Database } from '../database.js';
import type { DatabaseOptions } from '../options.js';
import { LOG_DIR, segmentName } from './segments.js';
import { tempDir } from '../test-support/temp-dir.js';
import type { DatabaseWarning } from '../warnings.js';

const KEY = new Uint8Array(32).fill(7);

/** Start and end of every record of the first log segment, in order (record i holds seq i + 1). */
function records(segment: string): { start: number; end: number }[] {
  return scanBuffer(new Uint8Array(readFileSync(segment))).entries.map(({ offset, record }) => ({ start: offset, end: offset + record.size }));
}

function damage(file: string, at: number, bytes: readonly number[]): void {
  const content = readFileSync(file);
  bytes.forEach((byte, i) => {
    if (at + i < content.length) content[at + i] = byte;
  });
  writeFileSync(file, content);
}

async function writeDocs(dir: string, count: number, options: DatabaseOptions, size: (i: number) => number = () => 20): Promise<string> {
  const db = await Database.open(dir, options);
  for (let i = 0; i < count; i++) await db.collection('c').set(`k${i}`, { i, text: 'é'.repeat(size(i) % 7) + 'x'.repeat(size(i)) });
  await db.close();
  return path.join(dir, LOG_DIR, segmentName(1));
}

describe('a log with damage in the middle', () => {
  it.each([
    ['plaintext', {}],
    ['encrypted', { encryptionKey: KEY }],
  ] as const)('keeps the documents after a zeroed marker (%s), reports the damage, and reopens the same', async (_, options) => {
    const dir = tempDir();
    const segment = await writeDocs(dir, 12, options);
    const victim = records(segment)[4]!;
    damage(segment, victim.start, [0]);

    const warnings: DatabaseWarning[] = [];
    const db = await Database.open(dir, { ...options, onWarning: (w) => warnings.push(w) });
    const expected = ['k0', 'k1', 'k2', 'k3', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10', 'k11'];
    expect(db.collection('c').keys()).toEqual(expected);
    expect(db.collection('c').get('k11')).toMatchObject({ i: 11 });
    expect(db.stats().log).toMatchObject({ damagedRanges: 1, corruptBytes: victim.end - victim.start, corruptRecords: 0, nextSeq: 13 });
    expect(warnings.map((w) => w.code)).toEqual(['damaged-range']);
    await db.collection('c').set('after', { i: 12 });
    await db.close();

    for (const readOnly of [false, true]) {
      const again = await Database.open(dir, { ...options, readOnly, onWarning: () => undefined });
      expect(again.collection('c').keys()).toEqual([...expected, 'after']);
      expect(again.stats().log.damagedRanges).toBe(1);
      await again.close();
    }
    expect(readdirSync(path.join(dir, LOG_DIR)).filter((name) => name.includes('.quarantine-'))).toHaveLength(1);
  });

  it('resumes at a record whose sequence number follows the last one read, not at an older copy', async () => {
    const dir = tempDir();
    const segment = await writeDocs(dir, 6, {}, (i) => (i === 3 ? 60 : 20));
    const log = records(segment);
    const content = readFileSync(segment);
    // Record 4 (seq 4) is overwritten with a valid copy of record 1 (seq 1) and its last bytes zeroed:
    // the copy is whole and its CRC matches, but seq 1 does not follow seq 3, so replay resumes at seq 5.
    const copy = content.subarray(log[0]!.start, log[0]!.end);
    const room = log[3]!.end - log[3]!.start;
    expect(copy.length).toBeLessThan(room);
    content.fill(0, log[3]!.start, log[3]!.end);
    content.set(copy, log[3]!.start + 1);
    writeFileSync(segment, content);
    const warnings: DatabaseWarning[] = [];
    const db = await Database.open(dir, { readOnly: true, onWarning: (w) => warnings.push(w) });
    expect(db.collection('c').keys()).toEqual(['k0', 'k1', 'k2', 'k4', 'k5']);
    expect(db.stats().log.damagedRanges).toBe(1);
    expect(warnings.map((w) => w.code)).toEqual(['damaged-range']);
    await db.close();
  });
});

describe('a log after random damage (seeded)', () => {
  it.each([
    ['plaintext', 0x5eed_0031, {}],
    ['encrypted', 0x5eed_0032, { encryptionKey: KEY }],
  ] as const)('keeps every document whose record the damage does not overlap (%s)', async (_, seed, options) => {
    const rng = new SeededRandom(seed);
    const random = (): number => rng.next();
    const int = (n: number): number => Math.floor(random() * n);
    const deadline = Date.now() + 45_000;
    let trials = 0;
    for (; trials < 40 && Date.now() < deadline; trials++) {
      const dir = tempDir('property');
      const count = 3 + int(15);
      const sizes = Array.from({ length: count }, () => int(4) === 0 ? int(3000) : int(60));
      const segment = await writeDocs(dir, count, { ...options, durability: 'none' }, (i) => sizes[i]!);
      const log = records(segment);
      expect(log).toHaveLength(count);
      const size = log.at(-1)!.end;
      const mode = int(3);
      const at = int(size);
      const length = mode === 2 ? 2 + int(100) : 1;
      const bytes = Array.from({ length }, () => (mode === 1 ? 0 : int(256)));
      if (mode === 0) bytes[0] = readFileSync(segment)[at]! ^ (1 << int(8));
      damage(segment, at, bytes);
      const context = `seed ${seed}, trial ${trials}: mode ${mode}, ${length} bytes at ${at} of ${size}`;
      const kept = log.flatMap((r, i) => (r.start < at + length && at < r.end ? [] : [`k${i}`]));

      let seen: string[] | undefined;
      for (const readOnly of [false, false, true]) {
        const db = await Database.open(dir, { ...options, readOnly, onWarning: () => undefined });
        const keys = db.collection('c').keys();
        for (const key of kept) expect(db.collection('c').get(key), `${context}: ${key}`).toMatchObject({ i: Number(key.slice(1)) });
        for (const key of keys) expect(key, context).toMatch(/^k\d+$/);
        if (seen === undefined) seen = keys;
        else expect(keys, `${context}: reopened`).toEqual(seen);
        await db.close();
      }
    }
    expect(trials).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
