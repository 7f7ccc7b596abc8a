import { copyJsonPrimitive, copyJsonValue, describeJsonPart, ownNamesNeedCheck } from '@kilndb/payload-store/json';
import { InvalidCollectionNameError, InvalidDocumentError, InvalidDocumentKeyError, ReservedFieldError } from '../errors.js';
import type { StoredDoc } from '../query/types.js';

/** The fields the engine keeps on every stored document. */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set(['_key', '_v', '_seq', '_createdAt', '_modifiedAt', '_expiresAt']);

export const MAX_COLLECTION_NAME_LENGTH = 256;

/** A document's user fields, validated, copied and frozen. */
export type Fields = Readonly<Record<string, unknown>>;

/** What a caller passed, split into its fields and its version guard (`_v`). */
export interface CheckedInput {
  readonly fields: Fields;
  readonly expectedVersion: number | undefined;
}

/** A UTF-16 surrogate not paired with its other half (with the `u` flag, a proper pair is one code point and does not match). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether `text` holds a lone surrogate: such a string is not well-formed Unicode, and the UTF-8 that log
 * entry headers and snapshot keys are written in would turn it into U+FFFD, so it would come back different.
 */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

const NOT_WELL_FORMED = 'it holds a lone UTF-16 surrogate (it is not well-formed Unicode, so UTF-8 cannot store it)';

export function checkCollectionName(name: unknown): string {
  if (typeof name !== 'string') throw new InvalidCollectionNameError(name, 'it must be a string');
  if (name.length === 0) throw new InvalidCollectionNameError(name, 'it is empty');
  if (name.length > MAX_COLLECTION_NAME_LENGTH) {
    throw new InvalidCollectionNameError(name, `it is longer than ${MAX_COLLECTION_NAME_LENGTH} characters`);
  }
  if (hasLoneSurrogate(name)) throw new InvalidCollectionNameError(name, NOT_WELL_FORMED);
  return name;
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new InvalidDocumentKeyError(key, 'keys must be strings');
  if (key.length === 0) throw new InvalidDocumentKeyError(key, 'keys must not be empty');
  if (hasLoneSurrogate(key)) throw new InvalidDocumentKeyError(key, NOT_WELL_FORMED);
  return key;
}

/** Checks an `expectedVersion` option: a non-negative integer, where 0 means "the key must be absent". */
export function checkVersion(collection: string, key: string | undefined, version: unknown, what: string): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new InvalidDocumentError(collection, key, what, 'must be a non-negative integer version (0: must be absent)');
  }
  return version;
}

/**
 * Validates a document or patch from a caller and returns a frozen deep copy of its fields. Top-level names
 * starting with `_` are refused, except `_v` (returned as the version guard) and `_key` when it equals `key`
 * (so a document read with `get` can be written back).
 */
export function checkInput(collection: string, key: string | undefined, input: unknown): CheckedInput {
  if (!isPlainObject(input)) {
    throw new InvalidDocumentError(collection, key, '', `must be a plain JSON object, got ${describeJsonPart(input)}`);
  }
  const fields: Record<string, unknown> = {};
  let expectedVersion: number | undefined;
  // for-in makes no array of the names (see ownNamesNeedCheck).
  const checkOwn = ownNamesNeedCheck(input);
  for (const name in input) {
    if (checkOwn && !Object.hasOwn(input, name)) continue;
    const value = (input as Record<string, unknown>)[name];
    if (name.startsWith('_')) {
      if (name === '_v') {
        expectedVersion = checkVersion(collection, key, value, '_v');
        continue;
      }
      if (name === '_key' && (key === undefined || value === key)) continue;
      throw new ReservedFieldError(collection, key, name);
    }
    setField(fields, name, copyField(collection, key, input, name, value));
  }
  // The top-level object stays internal (stored documents copy it), so only nested values need freezing.
  return { fields, expectedVersion };
}

/** The `_key` given inside a document passed to `insert`, if any. */
export function keyInside(input: unknown): unknown {
  return isPlainObject(input) ? (input as Record<string, unknown>)._key : undefined;
}

/**
 * A frozen deep copy of the value of top-level field `name` of `doc`, with -0 made 0 (as a reopen reads it
 * back). Anything JSON would not give back unchanged (payload-store's check, shared with its values) is an
 * InvalidDocumentError naming its path, such as `tags[2]` or `address.geo`.
 */
function copyField(collection: string, key: string | undefined, doc: object, name: string, value: unknown): unknown {
  const primitive = copyJsonPrimitive(value);
  if (primitive !== undefined) return primitive;
  const result = copyJsonValue(value, { depth: 1, parent: doc });
  if ('copy' in result) return result.copy;
  let path = name;
  for (const part of result.fault.path) path += typeof part === 'number' ? `[${part}]` : `.${part}`;
  throw new InvalidDocumentError(collection, key, path, result.fault.reason);
}

function setField(target: Record<string, unknown>, name: string, value: unknown): void {
  // Plain assignment to "__proto__" would replace the prototype instead of adding a field.
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A stored document's system fields, made with `new` so V8 lays the object out with room in itself for the
 * user's fields that follow (an object literal keeps its own fields inline and puts later ones in a separate
 * array, 32 more bytes per document). Its prototype is Object.prototype: what it makes is a plain object.
 */
const SystemFields = function (this: StoredDoc, key: string, version: number, seq: number, createdAt: number, modifiedAt: number) {
  this._key = key;
  this._v = version;
  this._seq = seq;
  this._createdAt = createdAt;
  this._modifiedAt = modifiedAt;
} as unknown as new (key: string, version: number, seq: number, createdAt: number, modifiedAt: number) => StoredDoc;
SystemFields.prototype = Object.prototype;

/** Builds a frozen stored document: system fields first (`_expiresAt` only for a document with its own expiry), then the user's fields. */
export function makeStoredDoc(
  key: string,
  version: number,
  seq: number,
  createdAt: number,
  modifiedAt: number,
  fields: Fields,
  expiresAt?: number,
): StoredDoc {
  const doc = new SystemFields(key, version, seq, createdAt, modifiedAt);
  if (expiresAt !== undefined) doc._expiresAt = expiresAt;
  const checkOwn = ownNamesNeedCheck(fields);
  for (const name in fields) if (!checkOwn || Object.hasOwn(fields, name)) setField(doc, name, fields[name]);
  return Object.freeze(doc);
}

/** The stored document's user fields with `patch` merged over them (top level only). */
export function mergeFields(current: StoredDoc, patch: Fields): Fields {
  // The merged fields share the current document's nested values, which must be frozen first.
  exposeDoc(current);
  const merged: Record<string, unknown> = {};
  for (const name of Object.keys(current)) if (!SYSTEM_FIELDS.has(name)) setField(merged, name, current[name]);
  for (const name of Object.keys(patch)) setField(merged, name, patch[name]);
  return merged;
}

/** The user's fields of a stored document (what a collection schema validates). */
export function userFields(doc: StoredDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(doc)) if (!SYSTEM_FIELDS.has(name)) setField(out, name, doc[name]);
  return out;
}

/**
 * The `_key` and `_v` a read view starts with, made with `new` for the reason SystemFields is: the user's
 * fields then sit in the object itself, one allocation per read instead of two. Its prototype is
 * Object.prototype: what it makes is a plain object.
 */
const ReadFields = function (this: { _key: string; _v: number }, key: string, version: number) {
  this._key = key;
  this._v = version;
} as unknown as new (key: string, version: number) => Record<string, unknown> & { _key: string; _v: number };
ReadFields.prototype = Object.prototype;

/** A document as reads return it: the user's fields plus its key and version. */
export type ReadDoc<T> = T & { readonly _key: string; readonly _v: number };

/** What `get` returns: `_key`, `_v` and the user fields, as a new object (nested values are frozen and shared). */
export function readView(doc: StoredDoc): Record<string, unknown> & { _key: string; _v: number } {
  if (!Object.isFrozen(doc)) exposeDoc(doc);
  const out = new ReadFields(doc._key, doc._v);
  // for-in walks the document's names with no array made per read (a tenth of a get; see ownNamesNeedCheck).
  const checkOwn = ownNamesNeedCheck(doc);
  // Every system field starts with `_` and no user field does (checkInput refuses them, imports drop them),
  // which also rules out "__proto__", so plain assignment is safe here.
  for (const name in doc) if (name.charCodeAt(0) !== UNDERSCORE && (!checkOwn || Object.hasOwn(doc, name))) out[name] = doc[name];
  return out;
}

const UNDERSCORE = 0x5f;

/**
 * Freezes a document (deeply) before it is handed out or built upon. A frozen stored document is always
 * deeply frozen: the engine freezes nested values before the document itself, so a frozen top level ends
 * the walk at once.
 */
export function exposeDoc(doc: StoredDoc): StoredDoc {
  return deepFreeze(doc);
}

/** Freezes `value` and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
  } else {
    for (const name of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[name]);
  }
  return Object.freeze(value);
}
