import { HttpError } from './http-error.js';

/** MoltenDB's name rules: collections `[A-Za-z0-9_-]{1,64}`, document keys `[A-Za-z0-9_.-]{1,256}`. */
export const COLLECTION_NAME_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const DOCUMENT_KEY_PATTERN = '^[A-Za-z0-9_.-]{1,256}$';
/** Deepest nesting of objects and arrays a request body may have (MoltenDB's limit). */
export const MAX_JSON_DEPTH = 32;

const COLLECTION_NAME = new RegExp(COLLECTION_NAME_PATTERN);
const DOCUMENT_KEY = new RegExp(DOCUMENT_KEY_PATTERN);
// Names that reach Object.prototype when used as a property name somewhere downstream.
const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The collection name when it is acceptable; HttpError 400 naming it otherwise. */
export function checkCollectionName(name: string): string {
  if (!COLLECTION_NAME.test(name)) {
    throw new HttpError(400, `Invalid collection name: '${printable(name)}'. Must be alphanumeric with _, - only (1-64 chars)`, {
      collection: name,
    });
  }
  if (RESERVED_NAMES.has(name)) throw new HttpError(400, `Invalid collection name: '${name}' is reserved`, { collection: name });
  return name;
}

/** The document key when it is acceptable; HttpError 400 naming it otherwise. */
export function checkDocumentKey(key: string): string {
  if (!DOCUMENT_KEY.test(key)) {
    throw new HttpError(400, `Invalid key name: '${printable(key)}'. Must be alphanumeric with _, -, . only (1-256 chars)`, { key });
  }
  if (RESERVED_NAMES.has(key)) throw new HttpError(400, `Invalid key name: '${key}' is reserved`, { key });
  return key;
}

/** HttpError 400 when one request names more documents than `max`. */
export function checkKeyCount(count: number, max: number): void {
  if (count > max) throw new HttpError(400, `Too many keys in single request (max ${max})`, { count, max });
}

/**
 * Does the JSON text nest objects/arrays deeper than `max`? Scans the text (strings skipped) instead of
 * walking a parsed value, so a hostile body is refused before anything recursive sees it.
 */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** A name cut to a readable length for an error message (the full value is in `detail`). */
function printable(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}
