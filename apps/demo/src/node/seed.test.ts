import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleData } from './sample-data.js';
import { seedOnFirstStart, type SeedTarget } from './seed.js';

/** An in-memory stand-in for the database: collections of key → document. */
function memoryTarget(): SeedTarget & { data: Map<string, Map<string, Record<string, unknown>>> } {
  const data = new Map<string, Map<string, Record<string, unknown>>>();
  return {
    data,
    collections: () => [...data.keys()],
    collection: (name) => ({
      set: (key, doc) => {
        const docs = data.get(name) ?? new Map<string, Record<string, unknown>>();
        data.set(name, docs.set(key, doc));
        return Promise.resolve();
      },
    }),
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kilndb-studio-seed-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('seedOnFirstStart', () => {
  it('writes the laptops example and its join targets once, and not again after they were deleted', async () => {
    const db = memoryTarget();
    expect(await seedOnFirstStart(db, dir)).toBe(true);
    expect(Object.fromEntries([...db.data].map(([name, docs]) => [name, docs.size]))).toEqual({ memory: 5, display: 5, laptops: 6 });
    // Every join key a laptop carries names a document that exists.
    for (const laptop of db.data.get('laptops')?.values() ?? []) {
      expect(db.data.get('memory')?.has(String(laptop.memory_id))).toBe(true);
      expect(db.data.get('display')?.has(String(laptop.display_id))).toBe(true);
    }
    db.data.clear();
    expect(await seedOnFirstStart(db, dir)).toBe(false);
    expect(db.data.size).toBe(0);
  });

  it('leaves a database that already holds collections alone', async () => {
    const db = memoryTarget();
    await db.collection('mine').set('a', { x: 1 });
    expect(await seedOnFirstStart(db, dir)).toBe(false);
    expect(db.collections()).toEqual(['mine']);
    expect(Object.keys(sampleData)).toContain('laptops');
  });
});
