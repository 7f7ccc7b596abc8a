import { PayloadValueError } from './errors.js';
import { findJsonFault, jsonPathOf, type JsonFault } from './json-value.js';

/** What `retrieve` gives back: a value as JSON.parse builds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const stringify = JSON.stringify as (value: unknown) => string | undefined;

/**
 * Turns `value` into JSON text. Refuses, with a PayloadValueError naming the id and the place, any value
 * that would not read back as it is (see `findJsonFault`): BigInts and cycles (JSON.stringify throws),
 * undefined, functions and symbols (dropped from objects, turned into null in arrays), NaN and ±Infinity,
 * holes in arrays, objects that are not plain (a Map, a Set, a typed array, a Date, a class instance) and
 * nesting deeper than MAX_JSON_DEPTH. -0 is stored as 0, as JSON writes it.
 */
export function stringifyPayload(id: number | bigint, value: unknown): string {
  const fault = findJsonFault(value);
  if (fault !== undefined) throw faultError(id, fault);
  try {
    // Typed as string; after the check it is one.
    return stringify(value) as string;
  } catch (error) {
    // A string longer than the engine allows, or a getter that throws.
    const reason = error instanceof RangeError ? 'is too large to encode as JSON' : 'cannot be encoded as JSON';
    throw new PayloadValueError(id, '$', `${reason} (${error instanceof Error ? error.message : String(error)})`);
  }
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

function faultError(id: number | bigint, fault: JsonFault): PayloadValueError {
  let reason = fault.reason;
  // The value itself: "the value undefined, which JSON cannot hold".
  if (fault.kind === 'not-json' && fault.path.length === 0) reason = `${fault.what}, which JSON cannot hold`;
  if (fault.kind === 'bigint') reason = 'is a BigInt, which JSON cannot hold (store it as a string or a number)';
  return new PayloadValueError(id, jsonPathOf(fault.path), reason);
}
