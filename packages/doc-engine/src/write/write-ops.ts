import { freshString } from '@kilndb/payload-store/json';
import { checkInput, checkKey, checkVersion, keyInside } from '../state/documents.js';
import { InvalidDocumentKeyError, InvalidInputError, InvalidOptionError } from '../errors.js';
import type { LogEntry } from '../log/log-entry.js';
import { uuid7 } from '../uuid7.js';
import type { Expiry, WriteOp } from './write-plan.js';

/** What `set` and `update` resolve to: the key and the version the document has now. */
export interface WriteResult {
  readonly key: string;
  readonly version: number;
}

export interface VersionGuard {
  /** The version the document must have for the write to go ahead; 0 means it must be absent. */
  readonly expectedVersion?: number;
}

/**
 * A document's own expiry: `ttl` seconds after the write, or at `expiresAt` (unix ms); give at most one.
 * An expired document is invisible to reads at once and removed by `sweepExpired`.
 */
export interface ExpiryOptions {
  readonly ttl?: number;
  readonly expiresAt?: number;
}

/** Options of `set` and `update`. `set` without an expiry stores the document without one; `update` without one keeps the document's. */
export interface WriteOptions extends VersionGuard, ExpiryOptions {}

/** The documents `insert` takes: an array (keys are generated UUIDv7s unless a document has `_key`), or a map of key to document. */
export type InsertInput<T> = readonly T[] | Readonly<Record<string, T>>;

/** A written key, checked, as the engine keeps it: its own string, so a key sliced from a larger text does not keep that text alive. */
function storedKey(key: unknown): string {
  return freshString(checkKey(key));
}

export function setOp(collection: string, key: unknown, doc: unknown, options: WriteOptions = {}, generatedKey = false): WriteOp {
  const checkedKey = storedKey(key);
  const { fields, expectedVersion } = checkInput(collection, checkedKey, doc);
  return {
    kind: 'set',
    collection,
    key: checkedKey,
    fields,
    expectedVersion: guard(collection, checkedKey, options, expectedVersion),
    generatedKey,
    expiry: checkExpiry(collection, options),
  };
}

export function updateOp(collection: string, key: unknown, patch: unknown, options: WriteOptions = {}): WriteOp {
  const checkedKey = storedKey(key);
  const { fields, expectedVersion } = checkInput(collection, checkedKey, patch);
  return {
    kind: 'update',
    collection,
    key: checkedKey,
    patch: fields,
    expectedVersion: guard(collection, checkedKey, options, expectedVersion),
    expiry: checkExpiry(collection, options),
  };
}

/** Checks `ttl` / `expiresAt` options. */
export function checkExpiry(collection: string, options: ExpiryOptions): Expiry | undefined {
  const { ttl, expiresAt } = options;
  if (ttl !== undefined && expiresAt !== undefined) throw new InvalidOptionError('ttl', `collection "${collection}": give ttl or expiresAt, not both`);
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
      throw new InvalidOptionError('ttl', `collection "${collection}": must be a positive number of seconds, got ${String(ttl)}`);
    }
    return { ttlMs: Math.round(ttl * 1000) };
  }
  if (expiresAt !== undefined) {
    if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
      throw new InvalidOptionError('expiresAt', `collection "${collection}": must be a unix time in milliseconds, got ${String(expiresAt)}`);
    }
    return { at: expiresAt };
  }
  return undefined;
}

export function deleteOp(collection: string, key: unknown, options: VersionGuard = {}): WriteOp {
  const checkedKey = checkKey(key);
  return { kind: 'delete', collection, key: checkedKey, expectedVersion: guard(collection, checkedKey, options, undefined) };
}

/** The ops of `deleteMany`, every key checked first. `keys` must be an array: a string is refused, not taken as its characters. */
export function deleteManyOps(collection: string, keys: unknown): WriteOp[] {
  if (!Array.isArray(keys)) throw new InvalidDocumentKeyError(keys, 'deleteMany takes an array of keys');
  return keys.map((key: unknown) => deleteOp(collection, key));
}

export function insertOps(collection: string, docs: unknown, options: ExpiryOptions = {}): WriteOp[] {
  const expiry = { ...(options.ttl === undefined ? {} : { ttl: options.ttl }), ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }) };
  if (Array.isArray(docs)) {
    return docs.map((doc: unknown) => {
      const given = keyInside(doc);
      return given === undefined ? setOp(collection, uuid7(), doc, expiry, true) : setOp(collection, given, doc, expiry);
    });
  }
  if (typeof docs !== 'object' || docs === null) {
    throw new InvalidInputError(`insert into collection "${collection}": expected an array of documents or an object of key → document`);
  }
  return Object.keys(docs).map((key) => setOp(collection, key, (docs as Record<string, unknown>)[key], expiry));
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
