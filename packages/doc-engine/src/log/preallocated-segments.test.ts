/**
 * The database's segments are preallocated by the log: a crash leaves zeros after the last record of the
 * active segment (or of a segment sealed just before the crash), which must read as the clean end.
 */
import { cpSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../database.js';
import type { DatabaseWarning } from '../warnings.js';
import { insertEntry, writeSegment } from '../test-support/hand-built-log.js';
import { tempDir } from '../test-support/temp-dir.js';
import { LOG_DIR, segmentName } from './segments.js';

/** A database directory as a crash leaves it: copied while the database is open, its LOCK left out. */
async function crashedDatabase(count: number): Promise<{ dir: string; logBytes: number }> {
  const live = tempDir('prealloc-live');
  const db = await Database.open(live);
  await Promise.all(Array.from({ length: count }, (_, i) => db.collection('c').set(`k${i}`, { i })));
  const logBytes = db.stats().log.bytes;
  const dir = tempDir('prealloc-crashed');
  cpSync(live, dir, { recursive: true });
  rmSync(path.join(dir, 'LOCK'), { force: true });
  await db.close();
  return { dir, logBytes };
}

async function reopen(dir: string): Promise<{ db: Database; warnings: DatabaseWarning[] }> {
  const warnings: DatabaseWarning[] = [];
  const db = await Database.open(dir, { onWarning: (w) => warnings.push(w) });
  return { db, warnings };
}

describe('preallocated log segments', () => {
  it('reopen after a crash with every document, no warning, no quarantine, and log bytes that count data only', async () => {
    const { dir, logBytes } = await crashedDatabase(40);
    const segment = path.join(dir, LOG_DIR, segmentName(1));
    expect(statSync(segment).size).toBeGreaterThan(logBytes);

    const { db, warnings } = await reopen(dir);
    expect(warnings).toEqual([]);
    expect(db.collection('c').count()).toBe(40);
    expect(db.collection('c').get('k39')).toMatchObject({ i: 39 });
    expect(db.stats().log.bytes).toBe(logBytes);
    await db.collection('c').set('after', { i: -1 });
    await db.close();
    expect(readdirSync(path.join(dir, LOG_DIR)).filter((name) => name.includes('quarantine'))).toEqual([]);
    expect(statSync(segment).size).toBeLessThan(logBytes + 1000);
  });

  it('read a sealed segment that kept its zeros as ending cleanly, and leave the zeros out of the log bytes', async () => {
    const { dir, logBytes } = await crashedDatabase(10);
    const sealed = path.join(dir, LOG_DIR, segmentName(1));
    const zeros = statSync(sealed).size - logBytes;
    expect(zeros).toBeGreaterThan(0);
    // A crash between starting the next segment and cutting the sealed one leaves both on disk.
    writeSegment(dir, 11, [insertEntry('c', 'next', { i: 11 })]);
    const active = readFileSync(path.join(dir, LOG_DIR, segmentName(11))).length;

    const { db, warnings } = await reopen(dir);
    expect(warnings).toEqual([]);
    expect(db.collection('c').count()).toBe(11);
    expect(db.collection('c').get('next')).toMatchObject({ i: 11 });
    expect(db.stats().log).toMatchObject({ segments: 2, bytes: logBytes + active, activeSegmentBytes: active });
    await db.close();
  });
});
