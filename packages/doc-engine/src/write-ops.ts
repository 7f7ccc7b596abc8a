import { checkInput, checkKey, checkVersion, keyInside } from './documents.js';
import { InvalidInputError } from './errors.js';
import type { LogEntry } from './log-entry.js';
import { uuid7 } from './uuid7.js';
import type { WriteOp } from './write-plan.js';

/** What `set` and `update` resolve to: the key and the version the document has now. */
export interface WriteResult {
  readonly key: string;
  readonly version: number;
}

export interface VersionGuard {
  /** The version the document must have for the write to go ahead; 0 means it must be absent. */
  readonly expectedVersion?: number;
}

/** The documents `insert` takes: an array (keys are generated UUIDv7s unless a document has `_key`), or a map of key to document. */
export type InsertInput<T> = readonly T[] | Readonly<Record<string, T>>;

export function setOp(collection: string, key: unknown, doc: unknown, options: VersionGuard = {}, generatedKey = false): WriteOp {
  const checkedKey = checkKey(key);
  const { fields, expectedVersion } = checkInput(collection, checkedKey, doc);
  return { kind: 'set', collection, key: checkedKey, fields, expectedVersion: guard(collection, checkedKey, options, expectedVersion), generatedKey };
}

export function updateOp(collection: string, key: unknown, patch: unknown, options: VersionGuard = {}): WriteOp {
  const checkedKey = checkKey(key);
  const { fields, expectedVersion } = checkInput(collection, checkedKey, patch);
  return { kind: 'update', collection, key: checkedKey, patch: fields, expectedVersion: guard(collection, checkedKey, options, expectedVersion) };
}

export function deleteOp(collection: string, key: unknown, options: VersionGuard = {}): WriteOp {
  const checkedKey = checkKey(key);
  return { kind: 'delete', collection, key: checkedKey, expectedVersion: guard(collection, checkedKey, options, undefined) };
}

export function insertOps(collection: string, docs: unknown): WriteOp[] {
  if (Array.isArray(docs)) {
    return docs.map((doc: unknown) => {
      const given = keyInside(doc);
      return given === undefined ? setOp(collection, uuid7(), doc, {}, true) : setOp(collection, given, doc);
    });
  }
  if (typeof docs !== 'object' || docs === null) {
    throw new InvalidInputError(`insert into collection "${collection}": expected an array of documents or an object of key → document`);
  }
  return Object.keys(docs).map((key) => setOp(collection, key, (docs as Record<string, unknown>)[key]));
}

/** `options.expectedVersion` wins over a `_v` in the document; either is checked. */
function guard(collection: string, key: string, options: VersionGuard, fromDocument: number | undefined): number | undefined {
  const given: unknown = options;
  if (typeof given !== 'object' || given === null) throw new InvalidInputError(`collection "${collection}", key "${key}": options must be an object`);
  if (options.expectedVersion === undefined) return fromDocument;
  return checkVersion(collection, key, options.expectedVersion, 'expectedVersion');
}

/** What a planned INSERT entry means to the caller. */
export function resultOf(entry: LogEntry): WriteResult {
  return { key: entry.key, version: (entry.value as { _v: number })._v };
}
