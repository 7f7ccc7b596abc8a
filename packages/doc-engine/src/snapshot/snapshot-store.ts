import * as path from 'node:path';
import {
  KILNDOCS_FLAG_ENCRYPTED,
  listBackups,
  readDocumentSnapshotFrames,
  readDocumentSnapshotHeader,
  rotateBackups,
  writeDocumentSnapshot,
  type FileSystem,
} from '@kilndb/snapshot';
import type { EntryCipher } from '../crypto/index.js';
import { DatabaseLayoutError } from '../errors.js';
import { TAG_DOC, encodeDocEntry } from '../state/held-doc.js';
import { IndexColumn, TAG_INDEX, encodeIndexColumn, fieldRows, type ColumnRow } from '../state/index-column.js';
import type { DatabaseWarning } from '../warnings.js';
import type { JsonValue, StoredDoc } from '../query/types.js';
import type { CollectionMeta, CollectionState, DocumentState, HeldDoc } from '../state/state.js';

/** The current document snapshot, in the database directory. */
export const SNAPSHOT_FILE = 'snapshot.kilndocs';
/**
 * A new snapshot, complete (written atomically) but not yet in place: compaction writes it, moves the
 * current one to backup/, then renames it over. Found at open only after a crash between those steps.
 */
export const NEXT_SNAPSHOT_FILE = 'snapshot.kilndocs.next';
/** Where older snapshots are kept (`backupsToKeep` of them), named by rotateBackups. */
export const BACKUP_DIR = 'backup';

/** A document snapshot file and the last sequence number it covers. */
export interface SnapshotFile {
  readonly seq: number;
  readonly path: string;
}

/** The state a snapshot is written from: collections with their documents (shared, never changed). */
export interface CapturedState {
  readonly seq: number;
  /** `_t` of the last entry covered; point-in-time recovery by time starts from it. */
  readonly time: number;
  readonly collections: readonly CapturedCollection[];
  readonly documents: number;
}

export interface CapturedCollection {
  readonly name: string;
  readonly meta: CollectionMeta;
  /** Key and document, parsed or still the slot of the entry it was loaded with (read through `heldEntry`). */
  readonly docs: readonly (readonly [string, HeldDoc])[];
  readonly heldEntry: (slot: number) => Uint8Array;
  /** The loaded index entries, whose rows stand in for documents still held. */
  readonly columns: ReadonlyMap<string, IndexColumn>;
}

/** Copies the references making up `state` now; later writes replace documents and leave the capture alone. */
export function captureState(state: DocumentState, seq: number, time: number): CapturedState {
  const collections: CapturedCollection[] = [];
  let documents = 0;
  for (const [name, collection] of state.collections) {
    const indexes: Record<string, JsonValue> = {};
    for (const [field, definition] of collection.indexes) indexes[field] = definition;
    const meta: CollectionMeta = {
      lastSeq: collection.lastSeq,
      ...(collection.schema === undefined ? {} : { schema: collection.schema }),
      ...(collection.indexes.size === 0 ? {} : { indexes }),
      ...(collection.ttl === undefined ? {} : { ttl: collection.ttl }),
      ...(collection.maxSize === undefined ? {} : { maxSize: collection.maxSize }),
      ...(collection.lastWriteAt === 0 ? {} : { lastWriteAt: collection.lastWriteAt }),
      ...(collection.expiring === 0 ? {} : { expiring: collection.expiring }),
    };
    collections.push({ name, meta, docs: [...collection.docs], heldEntry: collection.docs.heldEntries(), columns: new Map(collection.columns) });
    documents += collection.docs.size;
  }
  return { seq, time, collections, documents };
}

// Each snapshot entry is tagged and sealed when the database is encrypted: 'M' {format, seq, time} as
// JSON first, then per collection 'C' {name, meta} as JSON followed by one 'D' per document (held-doc.ts:
// the key, then the document's JSON, so an open can hold documents unparsed), then (format 3) one 'X' per
// index (index-column.ts), so an open has its indexes without parsing documents.
const TAG_META = 0x4d;
const TAG_COLLECTION = 0x43;
const FORMAT = 3;
/** Format 2 snapshots have no 'X' entries; their indexes are built from the documents on first use. */
const READABLE_FORMATS: ReadonlySet<unknown> = new Set([2, 3]);

function* snapshotEntries(captured: CapturedState, cipher: EntryCipher | undefined): Generator<Uint8Array> {
  const seal = (plain: Uint8Array): Uint8Array => (cipher === undefined ? plain : cipher.seal(plain));
  const tagged = (tag: number, json: string): Uint8Array => {
    const plain = Buffer.allocUnsafe(1 + Buffer.byteLength(json));
    plain[0] = tag;
    plain.write(json, 1, 'utf8');
    return seal(plain);
  };
  yield tagged(TAG_META, JSON.stringify({ format: FORMAT, seq: captured.seq, time: captured.time }));
  for (const collection of captured.collections) {
    yield tagged(TAG_COLLECTION, JSON.stringify({ name: collection.name, meta: collection.meta }));
    for (const [key, held] of collection.docs) {
      // A document not parsed since it was loaded is written back as the entry it came in.
      yield seal(typeof held === 'number' ? collection.heldEntry(held) : encodeDocEntry(key, JSON.stringify(held)));
    }
    for (const field of Object.keys(collection.meta.indexes ?? {})) yield seal(encodeIndexColumn(field, collection.docs.length, columnRows(collection, field)));
  }
}

/** What each captured document reads on `field`: from the loaded index entry while it is held, else from the document. */
function* columnRows(collection: CapturedCollection, field: string): Generator<ColumnRow> {
  const column = collection.columns.get(field);
  const read = fieldRows(field);
  for (const [, held] of collection.docs) {
    if (typeof held !== 'number') yield read(held);
    else if (column !== undefined) yield column.row(held);
    else yield read(JSON.parse(heldJson(collection.heldEntry(held))) as StoredDoc);
  }
}

/** The document JSON of a whole 'D' entry. */
function heldJson(entry: Uint8Array): string {
  const bytes = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  return bytes.toString('utf8', 5 + bytes.readUInt32LE(1));
}

/**
 * Writes `captured` as the database's snapshot: atomically to `snapshot.kilndocs.next`, then the current
 * snapshot moves to backup/ (or is replaced, with no backups kept) and the new one is renamed into place.
 * Resolves once the new snapshot is durable and current.
 */
export async function writeSnapshot(
  fs: FileSystem,
  directory: string,
  captured: CapturedState,
  cipher: EntryCipher | undefined,
  backupsToKeep: number,
): Promise<SnapshotFile> {
  await writeDocumentSnapshot(fs, path.join(directory, NEXT_SNAPSHOT_FILE), {
    seq: captured.seq,
    flags: cipher === undefined ? 0 : KILNDOCS_FLAG_ENCRYPTED,
    count: 1 + captured.collections.reduce((sum, { meta }) => sum + 1 + Object.keys(meta.indexes ?? {}).length, 0) + captured.documents,
    entries: snapshotEntries(captured, cipher),
  });
  return { seq: captured.seq, path: await installNextSnapshot(fs, directory, backupsToKeep) };
}

/** Puts a complete `snapshot.kilndocs.next` in place, the current snapshot going to backup/. Returns the current path. */
export async function installNextSnapshot(fs: FileSystem, directory: string, backupsToKeep: number): Promise<string> {
  const current = path.join(directory, SNAPSHOT_FILE);
  if (backupsToKeep > 0) await rotateBackups(fs, { file: current, backupDir: path.join(directory, BACKUP_DIR), keep: backupsToKeep });
  await fs.rename(path.join(directory, NEXT_SNAPSHOT_FILE), current);
  await fs.syncDirectory(directory);
  return current;
}

/** The snapshot a database opens from: a complete next snapshot a crash left behind, else the current one. */
export async function newestSnapshotPath(fs: FileSystem, directory: string): Promise<string | undefined> {
  for (const name of [NEXT_SNAPSHOT_FILE, SNAPSHOT_FILE]) {
    const candidate = path.join(directory, name);
    if ((await fs.stat(candidate)) !== undefined) return candidate;
  }
  return undefined;
}

/** Backups of the snapshot, newest first. */
export function backupPaths(fs: FileSystem, directory: string): Promise<string[]> {
  return listBackups(fs, { file: path.join(directory, SNAPSHOT_FILE), backupDir: path.join(directory, BACKUP_DIR) });
}

/**
 * Loads the snapshot at `filePath` into `state` (which must be empty). A damaged index entry is left out with
 * a warning (the index is then built from the documents on first use); anything else damaged fails the load.
 */
export async function loadSnapshot(
  fs: FileSystem,
  filePath: string,
  cipher: EntryCipher | undefined,
  state: DocumentState,
  onWarning?: (warning: DatabaseWarning) => void,
): Promise<{ seq: number; time: number }> {
  const snapshot = await readDocumentSnapshotFrames(fs, filePath);
  if (snapshot === undefined) throw new DatabaseLayoutError(filePath, 'the snapshot disappeared while the database was opening');
  if (snapshot.encrypted !== (cipher !== undefined)) {
    throw new DatabaseLayoutError(
      filePath,
      snapshot.encrypted ? 'the snapshot is encrypted but the database has no KEYRING' : 'the snapshot is not encrypted but the database is',
    );
  }
  const file = Buffer.from(snapshot.bytes.buffer, snapshot.bytes.byteOffset, snapshot.bytes.byteLength);
  // Documents stay in place: in the file itself, or (encrypted) their plaintexts copied end to end into one
  // buffer no larger than the file, so no document costs an object of its own.
  const plain = cipher === undefined ? file : Buffer.allocUnsafe(file.length);
  let plainUsed = 0;
  let collection: CollectionState | undefined;
  let time = 0;
  snapshot.forEachEntry((entryStart, entryEnd, i) => {
    let start = entryStart;
    let end = entryEnd;
    if (cipher !== undefined) {
      const opened = cipher.open(file.subarray(entryStart, entryEnd));
      plain.set(opened, plainUsed);
      start = plainUsed;
      end = plainUsed += opened.length;
    }
    const tag = plain[start];
    if ((i === 0) !== (tag === TAG_META)) throw new DatabaseLayoutError(filePath, `snapshot entry ${i}: the metadata entry must come first, once`);
    switch (tag) {
      case TAG_DOC: {
        if (collection === undefined) throw new DatabaseLayoutError(filePath, `snapshot entry ${i}: a document before any collection`);
        if (!collection.docs.hold(plain, start, end)) throw new DatabaseLayoutError(filePath, `snapshot entry ${i}: the key runs past the entry`);
        return;
      }
      case TAG_META: {
        const meta = JSON.parse(plain.toString('utf8', start + 1, end)) as { format: number; time: number };
        if (!READABLE_FORMATS.has(meta.format)) throw new DatabaseLayoutError(filePath, `snapshot content format ${String(meta.format)} is not supported`);
        time = meta.time;
        return;
      }
      case TAG_INDEX: {
        if (collection === undefined) throw new DatabaseLayoutError(filePath, `snapshot entry ${i}: an index before any collection`);
        const column = IndexColumn.decode(plain, start, end);
        const problem =
          typeof column === 'string'
            ? column
            : column.docs !== collection.docs.heldSlots
              ? `it has rows for ${column.docs} documents, the collection ${collection.docs.heldSlots}`
              : !collection.indexes.has(column.field)
                ? `the collection has no index on "${column.field}"`
                : undefined;
        if (problem === undefined) collection.columns.set((column as IndexColumn).field, column as IndexColumn);
        else onWarning?.({ code: 'damaged-index-entry', message: `snapshot entry ${i} (an index) is left out and rebuilt from the documents: ${problem}`, path: filePath });
        return;
      }
      case TAG_COLLECTION: {
        const header = JSON.parse(plain.toString('utf8', start + 1, end)) as { name: string; meta: CollectionMeta };
        collection?.docs.trim();
        collection = state.ensure(header.name);
        state.restoreCollection(header.name, header.meta);
        return;
      }
      default:
        throw new DatabaseLayoutError(filePath, `snapshot entry ${i}: unknown tag ${String(tag)}`);
    }
  });
  collection?.docs.trim();
  return { seq: snapshot.seq, time };
}

/** The sequence number a snapshot covers, from its header alone (backups are only sized up, not loaded). */
export async function snapshotSeq(fs: FileSystem, filePath: string): Promise<number> {
  const header = await readDocumentSnapshotHeader(fs, filePath);
  if (header === undefined) throw new DatabaseLayoutError(filePath, 'the snapshot is missing');
  return header.seq;
}
