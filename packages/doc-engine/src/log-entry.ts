import type { JsonValue, StoredDoc } from './query/types.js';

/**
 * What a log entry does:
 * - `INSERT`: `value` is the whole stored document (system fields included) now held at `key`.
 * - `DELETE`: removes `key`.
 * - `DROP`: removes the collection with every document, counter and setting in it.
 * - `SCHEMA`: `value` is the collection's JSON schema (null removes it).
 * - `INDEX`: `key` is an indexed field, `value` its definition (null removes it).
 * - `TX_BEGIN` / `TX_COMMIT`: bracket a transaction; `key` is its id. TX_COMMIT's value is `{ count }`,
 *   the number of entries the transaction holds, so a transaction missing an entry is never applied.
 */
export type LogCommand = 'INSERT' | 'DELETE' | 'DROP' | 'SCHEMA' | 'INDEX' | 'TX_BEGIN' | 'TX_COMMIT';

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
};
const COMMANDS: readonly (LogCommand | undefined)[] = [undefined, 'INSERT', 'DELETE', 'DROP', 'SCHEMA', 'INDEX', 'TX_BEGIN', 'TX_COMMIT'];

/** The first byte of every encoded entry; a reader refuses other versions. */
export const ENTRY_FORMAT = 1;
/**
 * format u8 · cmd u8 · _t f64 · collection length u16 · key length u32 · tx length u16, all little-endian,
 * then the collection, key and tx as UTF-8, then `value` as JSON (nothing for null).
 */
export const ENTRY_HEADER_SIZE = 18;

/**
 * Encodes an entry as a record payload. The fixed fields are binary so that only the value goes through
 * JSON: the stored document's JSON is the bulk of an entry, and a reader parses it straight into the
 * object the engine keeps. `tx` overrides `entry.tx` (the committer tags entries without copying them).
 */
export function encodeEntry(entry: LogEntry, tx: string | undefined = entry.tx): Uint8Array {
  const body = entry.value === null ? '' : JSON.stringify(entry.value);
  const collectionBytes = Buffer.byteLength(entry.collection);
  const keyBytes = Buffer.byteLength(entry.key);
  const txBytes = tx === undefined ? 0 : Buffer.byteLength(tx);
  const buf = Buffer.allocUnsafe(ENTRY_HEADER_SIZE + collectionBytes + keyBytes + txBytes + Buffer.byteLength(body));
  buf[0] = ENTRY_FORMAT;
  buf[1] = CODES[entry.cmd];
  buf.writeDoubleLE(entry._t, 2);
  buf.writeUInt16LE(collectionBytes, 10);
  buf.writeUInt32LE(keyBytes, 12);
  buf.writeUInt16LE(txBytes, 16);
  let at = ENTRY_HEADER_SIZE;
  at += buf.write(entry.collection, at, 'utf8');
  at += buf.write(entry.key, at, 'utf8');
  if (tx !== undefined) at += buf.write(tx, at, 'utf8');
  buf.write(body, at, 'utf8');
  return buf;
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
