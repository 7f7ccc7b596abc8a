import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { encodeStore } from '@kilndb/wal-format';
import { encodeEntry, type LogEntry } from '../log/log-entry.js';
import { LOG_DIR, segmentName } from '../log/segments.js';

/** A stored document as the engine logs it, for hand-built logs. */
export function storedDoc(key: string, fields: Record<string, unknown> = {}, version = 1, seq = 1): Record<string, unknown> {
  return { _key: key, _v: version, _seq: seq, _createdAt: 0, _modifiedAt: 0, ...fields };
}

export function insertEntry(collection: string, key: string, fields: Record<string, unknown> = {}, tx?: string): LogEntry {
  const entry: LogEntry = { cmd: 'INSERT', collection, key, value: storedDoc(key, fields) as LogEntry['value'], _t: 1 };
  return tx === undefined ? entry : { ...entry, tx };
}

export const txBegin = (id: string): LogEntry => ({ cmd: 'TX_BEGIN', collection: '', key: id, value: null, _t: 1 });
export const txCommit = (id: string, count: number): LogEntry => ({ cmd: 'TX_COMMIT', collection: '', key: id, value: { count }, _t: 1 });

/** Writes a log segment of `entries` (record ids `start`, `start + 1`, ...) into the database directory. */
export function writeSegment(directory: string, start: number, entries: readonly LogEntry[]): string {
  const dir = path.join(directory, LOG_DIR);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, segmentName(start));
  writeFileSync(file, Buffer.concat(entries.map((entry, i) => encodeStore(start + i, encodeEntry(entry)))));
  return file;
}
