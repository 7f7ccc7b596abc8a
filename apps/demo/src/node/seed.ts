import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleData } from './sample-data.js';

/** The part of the database seeding needs (KilnServer.db satisfies it). */
export interface SeedTarget {
  collections(): string[];
  collection(name: string): { set(key: string, doc: Record<string, unknown>): Promise<unknown> };
}

/** Written after the first seeding, so documents a user deleted do not come back on the next start. */
export const SEEDED_MARKER = 'studio-seeded';

/** Writes the sample collections once per data directory, only into an empty database. Returns whether it did. */
export async function seedOnFirstStart(db: SeedTarget, dataDir: string): Promise<boolean> {
  const marker = join(dataDir, SEEDED_MARKER);
  if (await exists(marker)) return false;
  const seeded = db.collections().length === 0;
  if (seeded) await seedSampleData(db);
  await writeFile(marker, `${new Date().toISOString()}\n`);
  return seeded;
}

/** Writes every sample document (join targets first), durably, one collection at a time. */
export async function seedSampleData(db: SeedTarget): Promise<void> {
  for (const [name, docs] of Object.entries(sampleData)) {
    const collection = db.collection(name);
    await Promise.all(Object.entries(docs).map(([key, doc]) => collection.set(key, doc)));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
