import { InvalidDocumentError } from '../errors.js';
import type { JsonValue, StoredDoc } from '../query/types.js';
import { JsonByteWriter } from '@kilndb/payload-store/json';
import type { PayloadSource } from './entry-log.js';

/**
 * What a log entry does:
 * - `INSERT`: `value` is the whole stored document (system fields included) now held at `key`.
 * - `DELETE`: removes `key`.
 * - `DROP`: removes the collection with every document, counter and setting in it.
 * - `SCHEMA`: `value` is the collection's JSON schema (null removes it).
 * - `INDEX`: `key` is an indexed field, `value` its definition (null removes it).
 * - `CONFIG`: `key` names a collection setting (`ttl` in seconds, `maxSize` in documents), `value` its
 *   number (null removes it).
 * - `TX_BEGIN` / `TX_COMMIT`: bracket a transaction; `key` is its id. TX_COMMIT's value is `{ count }`,
 *   the number of entries the transaction holds, so a transaction missing an entry is never applied.
 */
export type LogCommand = 'INSERT' | 'DELETE' | 'DROP' | 'SCHEMA' | 'INDEX' | 'TX_BEGIN' | 'TX_COMMIT' | 'CONFIG';

export interface LogEntry {
  readonly cmd: LogCommand;
  readonly collection: string;
  readonly key: string;
  readonly value: JsonValue | StoredDoc;
  /** Unix milliseconds when the entry was committed. */
  readonly _t: number;
  /**
   * The transaction the entry belongs to. Entries carry it so that transactions interleaved in the log
   * (by another writer, a converted MoltenDB log, or a future concurrent committer) still replay correctly.
   */
  readonly tx?: string;
}

const CODES: Readonly<Record<LogCommand, number>> = {
  INSERT: 1,
  DELETE: 2,
  DROP: 3,
  SCHEMA: 4,
  INDEX: 5,
  TX_BEGIN: 6,
  TX_COMMIT: 7,
  CONFIG: 8,
};
const COMMANDS: readonly (LogCommand | undefined)[] = [undefined, 'INSERT', 'DELETE', 'DROP', 'SCHEMA', 'INDEX', 'TX_BEGIN', 'TX_COMMIT', 'CONFIG'];

/** The first byte of every encoded entry; a reader refuses other versions. */
export const ENTRY_FORMAT = 1;
/**
 * format u8 · cmd u8 · _t f64 · collection length u16 · key length u32 · tx length u16, all little-endian,
 * then the collection, key and tx as UTF-8, then `value` as JSON (nothing for null).
 */
export const ENTRY_HEADER_SIZE = 18;

/**
 * The one writer every EntryPayloads writes into. A commit's payloads stay there until the log copies them
 * into its group buffer, which it does before the next commit's are written, unless the log holds appends
 * back (a segment roll): a payload set that finds the scratch taken writes itself again.
 */
const scratch = new JsonByteWriter();
/** How many payload sets were written into the scratch so far: the last one's bytes are what it holds. */
let scratchWrites = 0;

/**
 * Entries as record payloads, written once into the shared scratch and copied from there where the caller
 * says (a commit's go into the log's group buffer). The fixed fields are binary so that only the value goes
 * through JSON: the stored document's JSON is the bulk of an entry, and a reader parses it straight into the
 * object the engine keeps. Entries from `tagFrom` up to `tagTo` are tagged with transaction id `tx` (the
 * committer tags without copying them); otherwise an entry's own `tx` is kept.
 */
export class EntryPayloads implements PayloadSource {
  readonly count: number;
  /** Where each payload ends in the scratch. */
  private readonly ends: number[] = [];
  /** Which of the scratch's writes holds these payloads. */
  private written = 0;

  constructor(
    private readonly entries: readonly LogEntry[],
    private readonly tx?: string,
    private readonly tagFrom = 0,
    private readonly tagTo = entries.length,
  ) {
    this.count = entries.length;
    this.writeAll();
  }

  length(index: number): number {
    return (this.ends[index] as number) - (index === 0 ? 0 : (this.ends[index - 1] as number));
  }

  write(index: number, target: Uint8Array, at: number): void {
    if (this.written !== scratchWrites) this.writeAll();
    scratch.copy(target, at, index === 0 ? 0 : (this.ends[index - 1] as number), this.ends[index] as number);
  }

  private writeAll(): void {
    // Counted first: whatever the scratch held is gone, even if this write fails part way.
    this.written = ++scratchWrites;
    scratch.discard();
    this.ends.length = 0;
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i] as LogEntry;
      writeEntry(entry, this.tx !== undefined && i >= this.tagFrom && i < this.tagTo ? this.tx : (entry.tx ?? ''));
      this.ends.push(scratch.length);
    }
  }
}

/** Writes one entry's payload into `scratch`. */
function writeEntry(entry: LogEntry, tag: string): void {
  const start = scratch.length;
  scratch.reserve(ENTRY_HEADER_SIZE);
  scratch.skip(ENTRY_HEADER_SIZE);
  const collectionBytes = scratch.utf8(entry.collection);
  const keyBytes = scratch.utf8(entry.key);
  const txBytes = scratch.utf8(tag);
  if (entry.value !== null) writeValue(entry);
  // The header last: the lengths are known now, and the scratch may have grown into a new buffer.
  const buf = scratch.reserve(0);
  buf[start] = ENTRY_FORMAT;
  buf[start + 1] = CODES[entry.cmd];
  buf.writeDoubleLE(entry._t, start + 2);
  buf.writeUInt16LE(collectionBytes, start + 10);
  buf.writeUInt32LE(keyBytes, start + 12);
  buf.writeUInt16LE(txBytes, start + 16);
}

/**
 * Writes an entry's value as JSON. An INSERT's document is the engine's checked copy, written as bytes with
 * no string between; other values (settings, a transaction's count) are rare and small, and go through
 * JSON.stringify. A document too large for a reader is an InvalidDocumentError naming it, not a bare RangeError.
 */
function writeValue(entry: LogEntry): void {
  try {
    if (entry.cmd === 'INSERT') scratch.value(entry.value);
    else scratch.utf8(JSON.stringify(entry.value));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InvalidDocumentError(entry.collection, entry.key, '', `is too large to encode as JSON (${error.message})`);
  }
}

/** One entry's payload, on its own (for hand-built logs and tests; a commit copies its payloads straight into the log group buffer). */
export function encodeEntry(entry: LogEntry, tx?: string): Uint8Array {
  const measured = new EntryPayloads([entry], tx);
  const payload = Buffer.allocUnsafe(measured.length(0));
  measured.write(0, payload, 0);
  return payload;
}

/** Decodes an entry, or returns what is wrong with it. */
export function decodeEntry(bytes: Uint8Array): LogEntry | string {
  if (bytes.length < ENTRY_HEADER_SIZE) return `${bytes.length} bytes is shorter than an entry header`;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] !== ENTRY_FORMAT) return `entry format ${String(buf[0])} is not supported`;
  const cmd = COMMANDS[buf[1] ?? 0];
  if (cmd === undefined) return `unknown command code ${String(buf[1])}`;
  const _t = buf.readDoubleLE(2);
  const collectionEnd = ENTRY_HEADER_SIZE + buf.readUInt16LE(10);
  const keyEnd = collectionEnd + buf.readUInt32LE(12);
  const txEnd = keyEnd + buf.readUInt16LE(16);
  if (txEnd > buf.length) return 'the header lengths run past the end of the entry';
  const collection = buf.toString('utf8', ENTRY_HEADER_SIZE, collectionEnd);
  const key = buf.toString('utf8', collectionEnd, keyEnd);
  let value: unknown = null;
  if (txEnd < buf.length) {
    try {
      value = JSON.parse(buf.toString('utf8', txEnd));
    } catch (error) {
      return `the value is not JSON (${(error as Error).message})`;
    }
  }
  const problem = checkValue(cmd, key, value);
  if (problem !== undefined) return problem;
  return txEnd > keyEnd
    ? { cmd, collection, key, value: value as JsonValue, _t, tx: buf.toString('utf8', keyEnd, txEnd) }
    : { cmd, collection, key, value: value as JsonValue, _t };
}

function checkValue(cmd: LogCommand, key: string, value: unknown): string | undefined {
  if (cmd === 'INSERT') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'INSERT value is not a document';
    const doc = value as Record<string, unknown>;
    if (doc._key !== key) return 'INSERT value._key differs from the key';
    if (typeof doc._v !== 'number' || typeof doc._seq !== 'number') return 'INSERT value lacks _v or _seq';
  }
  if (cmd === 'TX_COMMIT' && typeof (value as { count?: unknown } | null)?.count !== 'number') return 'TX_COMMIT value lacks count';
  return undefined;
}
