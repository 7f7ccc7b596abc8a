import { PayloadValueError } from './errors.js';

/** What `retrieve` gives back: a value as JSON.parse builds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const stringify = JSON.stringify as (value: unknown) => string | undefined;

/**
 * Turns `value` into JSON text. Refuses, with a PayloadValueError naming the id and the place, any value
 * JSON.stringify would throw on (BigInt, cycles) or would silently change: undefined, functions and symbols
 * (dropped from objects, turned into null in arrays) and NaN or ±Infinity (turned into null), so what
 * `retrieve` returns is what was stored. Objects with a `toJSON` method are stored as what it returns.
 */
export function stringifyPayload(id: number | bigint, value: unknown): string {
  // Typed as string, but undefined for undefined, functions and symbols.
  let text: string | undefined;
  try {
    text = stringify(value);
  } catch (error) {
    const found = findUnrepresentable(value, []);
    if (found !== undefined) throw fail(id, found);
    throw new PayloadValueError(id, '$', `cannot be encoded as JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new PayloadValueError(id, '$', `${describe(value)}, which JSON cannot hold`);
  if (!isFaithful(value)) {
    const found = findUnrepresentable(value, []);
    if (found !== undefined) throw fail(id, found);
  }
  return text;
}

/** Bytes `text` takes as UTF-8. */
export function payloadLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Writes `text` as UTF-8 into `into`, which is exactly `payloadLength(text)` bytes long. */
export function writePayload(text: string, into: Uint8Array): void {
  encoder.encodeInto(text, into);
}

/** Parses a stored payload; throws a SyntaxError when it is not JSON. */
export function decodePayload(payload: Uint8Array): JsonValue {
  return JSON.parse(decoder.decode(payload)) as JsonValue;
}

/**
 * Whether `value` reads back from JSON as it is: the fast check of every write, allocating nothing but the
 * key lists. It runs after JSON.stringify succeeded, so it never meets a cycle; on `false` the slower walk
 * below finds the place to name.
 */
function isFaithful(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isFaithful(value[i])) return false;
    return true;
  }
  const members = value as Record<string, unknown>;
  for (const key of Object.keys(members)) if (!isFaithful(members[key])) return false;
  return true;
}

interface Unrepresentable {
  /** Keys and indexes from the value's root, innermost last; filled in as the walk unwinds. */
  readonly path: (string | number)[];
  readonly reason: string;
}

function fail(id: number | bigint, found: Unrepresentable): PayloadValueError {
  let at = '$';
  for (const part of found.path.reverse()) {
    at += typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return new PayloadValueError(id, at, found.reason);
}

/** Walks `value` the way JSON.stringify does and finds the first part it would throw on, drop or change. */
function findUnrepresentable(value: unknown, ancestors: object[]): Unrepresentable | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path: [], reason: `is ${value}, which JSON would store as null` };
    case 'bigint':
      return { path: [], reason: 'is a BigInt, which JSON cannot hold (store it as a string or a number)' };
    case 'undefined':
    case 'function':
    case 'symbol':
      return { path: [], reason: `is ${describe(value)}, which JSON cannot hold` };
    case 'object':
      break;
  }
  if (value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (ancestors.includes(value)) return { path: [], reason: 'refers back to an object that contains it (a cycle)' };
  ancestors.push(value);
  let found: Unrepresentable | undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      found = findUnrepresentable(value[i], ancestors);
      if (found !== undefined) {
        found.path.push(i);
        break;
      }
    }
  } else {
    for (const key of Object.keys(value)) {
      found = findUnrepresentable((value as Record<string, unknown>)[key], ancestors);
      if (found !== undefined) {
        found.path.push(key);
        break;
      }
    }
  }
  ancestors.pop();
  return found;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return `a ${typeof value}`;
}
