import { isKilnError } from '@kilndb/wal-format';

/** One exported error class: its name, its static `kilnCode`, and what an instance of it shows. */
export interface ErrorClassRow {
  readonly name: string;
  readonly kilnCode: unknown;
  readonly instanceCode: unknown;
  readonly instanceName: string;
  readonly isKilnError: boolean;
}

// Every error constructor takes strings, numbers, arrays or an Error; empty arrays stand in for each of them
// without crashing a message template (an array has `.map`, `.slice`, `.join`, and reads `.message` as undefined).
const PLACEHOLDER_ARGUMENTS: readonly unknown[] = [[], [], [], [], []];

/**
 * Every class a module exports that makes Errors, by export name, each with an instance made from
 * placeholder arguments: the table a package's test compares with the codes its README lists.
 */
export function errorClassTable(moduleExports: Readonly<Record<string, unknown>>): ErrorClassRow[] {
  const rows: ErrorClassRow[] = [];
  for (const [name, value] of Object.entries(moduleExports)) {
    if (typeof value !== 'function' || !((value.prototype as unknown) instanceof Error)) continue;
    const instance = Reflect.construct(value, PLACEHOLDER_ARGUMENTS) as Error & { kilnCode?: unknown };
    rows.push({
      name,
      kilnCode: (value as { kilnCode?: unknown }).kilnCode,
      instanceCode: instance.kilnCode,
      instanceName: instance.name,
      isKilnError: isKilnError(instance),
    });
  }
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * An error as another installed copy of a KilnDB package makes it: a class of its own (so `instanceof` any
 * class of this copy fails), branded with the same registered symbol and carrying `kilnCode` and `fields`.
 */
export function otherCopyError(kilnCode: string, fields: Readonly<Record<string, unknown>> = {}): Error {
  class OtherCopyError extends Error {
    readonly kilnCode = kilnCode;
  }
  Object.defineProperty(OtherCopyError.prototype, Symbol.for('kilndb.error'), { value: true });
  return Object.assign(new OtherCopyError(`an error of another copy (${kilnCode})`), fields);
}
