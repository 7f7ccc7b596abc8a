import * as path from 'node:path';
import { nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import { Database } from '../database.js';
import { InvalidInputError } from '../errors.js';
import type { DatabaseOptions } from '../options.js';
import { SchemaError } from '../query/errors.js';
import { toKilnFields, type RejectedDocument } from './documents.js';
import { ImportTargetNotEmptyError, MoltenDbInputError } from './errors.js';
import { readLines } from './log-lines.js';
import { MoltenReplayer, type MoltenReplay, type MoltenReplayStats } from './molten-log-replay.js';
import { parseMoltenDbSnapshot, type MoltenDbSnapshot } from './snapshot-reader.js';

export interface ImportMoltenDbOptions {
  /** Replay the log alone, as MoltenDB does when its snapshot is unreadable. Default false. */
  readonly ignoreSnapshot?: boolean;
  /** Documents per atomic commit. Default 1000. */
  readonly batchSize?: number;
  /** Options for the new KilnDB database (`encryptionKey`, `durability`, ...); its `fs` also reads the MoltenDB files. */
  readonly database?: DatabaseOptions;
}

export interface MoltenImportSummary {
  readonly logPath: string;
  /** The snapshot that was read, if there was one (and it was not ignored). */
  readonly snapshotPath: string | undefined;
  readonly targetDir: string;
  /** Documents imported, per collection. */
  readonly collections: Record<string, number>;
  readonly documents: number;
  /** Top-level `_` fields left out of imported documents, by name, with how many documents had each. */
  readonly droppedFields: Record<string, number>;
  /** Documents KilnDB cannot hold (not objects, empty keys, unusable collection names); the first 100 are listed. */
  readonly rejectedDocuments: number;
  readonly rejectedSamples: readonly RejectedDocument[];
  /** Collection → JSON schema applied (set after the documents, as MoltenDB never re-checked existing ones). */
  readonly schemas: Record<string, unknown>;
  /** Collection → fields indexed, as MoltenDB had them. */
  readonly indexes: Record<string, string[]>;
  /** Schemas and indexes KilnDB could not take (an invalid schema, a field path it cannot index), with why. */
  readonly notApplied: readonly { collection: string; what: 'schema' | 'index'; field?: string; reason: string }[];
  readonly replay: MoltenReplayStats;
}

const DEFAULT_BATCH_SIZE = 1000;
const MAX_REJECTED_SAMPLES = 100;

/** `my_database.log` → `my_database.log.snapshot.bin`, MoltenDB's naming. */
export function moltenSnapshotPath(logPath: string): string {
  return `${logPath}.snapshot.bin`;
}

async function readSnapshot(fs: FileSystem, snapshotPath: string): Promise<MoltenDbSnapshot | undefined> {
  const stat = await fs.stat(snapshotPath);
  if (stat === undefined) return undefined;
  if (stat.isDirectory) throw new MoltenDbInputError(snapshotPath, 'not-moltendb', 'is a directory, not a MoltenDB snapshot');
  return parseMoltenDbSnapshot(await fs.readFile(snapshotPath), snapshotPath);
}

/** Replays the MoltenDB database whose log is `logPath` (and its snapshot beside it) into memory. */
export async function readMoltenDb(
  logPath: string,
  options: { readonly fs?: FileSystem; readonly ignoreSnapshot?: boolean } = {},
): Promise<{ readonly replay: MoltenReplay; readonly snapshotPath: string | undefined }> {
  const fs = options.fs ?? nodeFileSystem;
  const stat = await fs.stat(logPath);
  if (stat === undefined) throw new MoltenDbInputError(logPath, 'missing', 'no such MoltenDB log file');
  if (stat.isDirectory) throw new MoltenDbInputError(logPath, 'not-moltendb', 'is a directory; give the path of the MoltenDB .log file');
  const snapshotPath = moltenSnapshotPath(logPath);
  const snapshot = options.ignoreSnapshot === true ? undefined : await readSnapshot(fs, snapshotPath);
  const replayer = new MoltenReplayer(snapshot);
  for await (const line of readLines(fs, logPath)) replayer.pushLine(line);
  const replay = replayer.finish();
  const { stats } = replay;
  if (stats.coveredBySnapshot === 0 && stats.lines > 0 && stats.skippedUnparsable === stats.lines) {
    throw new MoltenDbInputError(
      logPath,
      'not-moltendb',
      `none of its ${stats.lines} lines is a MoltenDB JSON LogEntry (later MoltenDB versions write a binary MessagePack log, which is not read)`,
    );
  }
  const encrypted = stats.unknownCommands['ENC'] ?? 0;
  if (encrypted > 0) {
    throw new MoltenDbInputError(logPath, 'unsupported', `holds ${encrypted} encrypted (ENC) entries; export them in plain text with MoltenDB first`);
  }
  return { replay, snapshotPath: snapshot === undefined ? undefined : snapshotPath };
}

async function assertEmptyTarget(fs: FileSystem, targetDir: string): Promise<void> {
  const stat = await fs.stat(targetDir);
  if (stat === undefined) return;
  const names = await fs.readdir(targetDir);
  if (!stat.isDirectory || names.length > 0) throw new ImportTargetNotEmptyError(targetDir, stat.isDirectory ? names : ['(a file)']);
}

/**
 * Imports a MoltenDB 0.x database (its JSON-lines log `logPath` and the `.snapshot.bin` beside it) into a
 * new KilnDB database in `targetDir`, which must not exist or be empty. The state is the one MoltenDB would
 * load, with the differences listed in MOLTENDB.md; documents lose their top-level `_` fields (MoltenDB's
 * system fields) and are committed per collection in atomic batches.
 */
export async function importMoltenDb(
  logPath: string,
  targetDir: string,
  options: ImportMoltenDbOptions = {},
): Promise<MoltenImportSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const fs = options.database?.fs ?? nodeFileSystem;
  const { replay, snapshotPath } = await readMoltenDb(logPath, { fs, ignoreSnapshot: options.ignoreSnapshot === true });
  const target = path.resolve(targetDir);
  await assertEmptyTarget(fs, target);

  const droppedFields = new Map<string, number>();
  const collections = new Map<string, number>();
  const rejectedSamples: RejectedDocument[] = [];
  let rejectedDocuments = 0;
  let documents = 0;
  const schemas = new Map<string, unknown>();
  const indexes = new Map<string, string[]>();
  const notApplied: MoltenImportSummary['notApplied'][number][] = [];
  const db = await Database.open(target, { ...options.database, fs });
  try {
    for (const [name, docs] of replay.collections) {
      let batch: [string, Record<string, unknown>][] = [];
      let imported = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await db.collection(name).insert(Object.fromEntries(batch));
        imported += batch.length;
        batch = [];
      };
      for (const [key, document] of docs) {
        const converted = toKilnFields(name, key, document, droppedFields);
        if ('rejected' in converted) {
          rejectedDocuments++;
          if (rejectedSamples.length < MAX_REJECTED_SAMPLES) rejectedSamples.push(converted.rejected);
          continue;
        }
        batch.push([key, converted.fields]);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      if (imported > 0) collections.set(name, imported);
      documents += imported;
    }
    for (const [name, schema] of replay.schemas) {
      await applySetting(notApplied, { collection: name, what: 'schema' }, async () => {
        await db.collection(name).setSchema(schema === null ? undefined : schema);
        schemas.set(name, schema);
      });
    }
    for (const [name, fields] of replay.indexes) {
      for (const field of fields) {
        await applySetting(notApplied, { collection: name, what: 'index', field }, async () => {
          await db.collection(name).createIndex(field);
          indexes.set(name, [...(indexes.get(name) ?? []), field]);
        });
      }
    }
  } finally {
    await db.close();
  }
  return {
    logPath,
    snapshotPath,
    targetDir: target,
    collections: Object.fromEntries(collections),
    documents,
    droppedFields: Object.fromEntries(droppedFields),
    rejectedDocuments,
    rejectedSamples,
    schemas: Object.fromEntries(schemas),
    indexes: Object.fromEntries(indexes),
    notApplied,
    replay: replay.stats,
  };
}

/** Applies one schema or index; one KilnDB refuses is recorded with the reason instead of failing the import. */
async function applySetting(
  notApplied: MoltenImportSummary['notApplied'][number][],
  what: Omit<MoltenImportSummary['notApplied'][number], 'reason'>,
  apply: () => Promise<void>,
): Promise<void> {
  try {
    await apply();
  } catch (error) {
    if (!(error instanceof SchemaError || error instanceof InvalidInputError)) throw error;
    notApplied.push({ ...what, reason: error.message });
  }
}
