import type { FieldPath } from './types.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toFieldPath(path: string): FieldPath {
  return { path, segments: path.split('.') };
}

/**
 * Reads a dot path. Only plain objects are descended into, and only own
 * properties count (a field named `constructor` is not found on `{}`).
 * Returns undefined when any step is missing.
 */
export function readPath(doc: unknown, segments: readonly string[]): unknown {
  let current: unknown = doc;
  for (const segment of segments) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

export type FieldReader = (doc: unknown) => unknown;

/**
 * readPath specialised for one path, for hot loops: the own-property check is
 * only made for names that objects inherit (`constructor`, `__proto__`, ...),
 * since for any other name a plain read already returns only own values.
 */
export function compileReader(segments: readonly string[]): FieldReader {
  const [only] = segments;
  if (segments.length === 1 && only !== undefined && !(only in Object.prototype)) {
    return (doc) => (isPlainObject(doc) ? doc[only] : undefined);
  }
  return (doc) => readPath(doc, segments);
}

/** Assigns an own property, also for the name `__proto__` (plain assignment would change the prototype). */
export function setOwn(target: Record<string, unknown>, field: string, value: unknown): void {
  if (field === '__proto__') {
    Object.defineProperty(target, field, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[field] = value;
  }
}

/** Structural equality: arrays element-wise, objects by key set regardless of key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  const aFields = Object.keys(aRecord);
  if (aFields.length !== Object.keys(bRecord).length) return false;
  for (const field of aFields) {
    if (!Object.hasOwn(bRecord, field) || !deepEqual(aRecord[field], bRecord[field])) return false;
  }
  return true;
}

/**
 * Case folding used by `$in`, `$nin` and `$contains`, which compare strings
 * case-insensitively (as MoltenDB does). Locale-independent lower-casing.
 */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

/** Equality as `$in` / `$nin` / array `$contains` see it: strings case-insensitively, everything else structurally. */
export function looselyEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || foldCase(a) === foldCase(b);
  return deepEqual(a, b);
}

/**
 * Sort ranks. Numbers, then strings, then booleans (false before true) have a
 * natural order; null, arrays, objects and missing values have none and rank
 * last, equal to each other, in BOTH directions.
 */
export const RANK_NUMBER = 0;
export const RANK_STRING = 1;
export const RANK_BOOLEAN = 2;
export const RANK_UNORDERED = 3;

export function sortRank(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return RANK_NUMBER;
    case 'string':
      return RANK_STRING;
    case 'boolean':
      return RANK_BOOLEAN;
    default:
      return RANK_UNORDERED;
  }
}

/**
 * Compares two values for one ascending sort key, ignoring the Unordered rank
 * (callers handle that, since it stays last in descending order too).
 * Numbers numerically, strings by UTF-16 code units, false < true.
 */
export function compareOrdered(a: unknown, b: unknown): number {
  const rankA = sortRank(a);
  const rankB = sortRank(b);
  if (rankA !== rankB) return rankA - rankB;
  // Same rank: both numbers, both strings or both booleans.
  const x = a as number | string | boolean;
  const y = b as number | string | boolean;
  return x < y ? -1 : x > y ? 1 : 0;
}
