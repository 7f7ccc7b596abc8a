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
   * (by a writer other than this engine, or a future concurrent one) still replay correctly.
   */
  readonly tx?: string;
}

/** A data entry (not a transaction bracket). */
export type DataCommand = Exclude<LogCommand, 'TX_BEGIN' | 'TX_COMMIT'>;

const COMMANDS: ReadonlySet<string> = new Set<LogCommand>([
  'INSERT',
  'DELETE',
  'DROP',
  'SCHEMA',
  'INDEX',
  'TX_BEGIN',
  'TX_COMMIT',
]);

export function encodeEntry(entry: LogEntry): Uint8Array {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}

/** Decodes a log entry, or returns a description of what is wrong with it. */
export function decodeEntry(bytes: Uint8Array): LogEntry | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const entry = parsed as Record<string, unknown>;
  if (typeof entry.cmd !== 'string' || !COMMANDS.has(entry.cmd)) return `unknown cmd ${JSON.stringify(entry.cmd)}`;
  if (typeof entry.collection !== 'string') return 'collection is not a string';
  if (typeof entry.key !== 'string') return 'key is not a string';
  if (typeof entry._t !== 'number') return '_t is not a number';
  if (entry.tx !== undefined && typeof entry.tx !== 'string') return 'tx is not a string';
  if (!('value' in entry)) return 'value is missing';
  if (entry.cmd === 'INSERT') {
    const doc = entry.value;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'INSERT value is not a document';
    const stored = doc as Record<string, unknown>;
    if (stored._key !== entry.key) return 'INSERT value._key differs from key';
    if (typeof stored._v !== 'number' || typeof stored._seq !== 'number') return 'INSERT value lacks _v/_seq';
  }
  if (entry.cmd === 'TX_COMMIT') {
    const value = entry.value as { count?: unknown } | null;
    if (typeof value?.count !== 'number') return 'TX_COMMIT value lacks count';
  }
  return entry as unknown as LogEntry;
}
