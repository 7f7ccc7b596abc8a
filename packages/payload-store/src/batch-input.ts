import { StoreInputError } from './errors.js';

/**
 * Checks that `items`, the argument of a batch method, is an iterable other than a string (a string is
 * iterable, but its characters are not ids or entries). Throws StoreInputError naming the method otherwise.
 */
export function checkBatch(method: string, items: unknown, takes: string): void {
  const iterator = (items as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator];
  if (typeof items === 'string' || typeof iterator !== 'function') {
    throw new StoreInputError(`argument of ${method}`, `takes ${takes}, got ${describe(items)}`);
  }
}

/** Checks that entry `i` of a storeBatch is an `[id, value]` pair. */
export function checkEntry(method: string, entry: unknown, i: number): asserts entry is readonly [unknown, unknown] {
  if (!Array.isArray(entry) || entry.length !== 2) {
    throw new StoreInputError(`entry ${i} of ${method}`, `must be an [id, value] pair, got ${Array.isArray(entry) ? `an array of ${entry.length}` : describe(entry)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object that is not iterable' : typeof value;
}
