/** The outcome of reading JSON a person typed: the value, or a message saying what is wrong and where. */
export type JsonRead<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Parses `text` as JSON; the error names the line and column when the engine reports a position. */
export function readJson(text: string): JsonRead<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    if (position?.[1] === undefined) return { ok: false, error: `Invalid JSON: ${message}` };
    const { line, column } = lineAndColumn(text, Number(position[1]));
    return { ok: false, error: `Invalid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}` };
  }
}

/** A JSON object a user may write as a document: no arrays or scalars, no fields the server owns (`_…`). */
export function readDocument(text: string): JsonRead<Record<string, unknown>> {
  const read = readJson(text);
  if (!read.ok) return read;
  const value = read.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'A document must be a JSON object, like {"name": "value"}' };
  }
  const reserved = Object.keys(value).filter((field) => field.startsWith('_'));
  if (reserved.length > 0) return { ok: false, error: `Fields starting with "_" belong to the server: ${reserved.join(', ')}` };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Optional JSON in a query form: blank means "not given". */
export function readOptionalJson(text: string, what: string): JsonRead<unknown> {
  if (text.trim() === '') return { ok: true, value: undefined };
  const read = readJson(text);
  return read.ok ? read : { ok: false, error: `${what}: ${read.error}` };
}

/** The document's own fields, without the ones the server manages, pretty-printed for editing. */
export function editableText(doc: Readonly<Record<string, unknown>>): string {
  const own = Object.fromEntries(Object.entries(doc).filter(([field]) => !field.startsWith('_')));
  return JSON.stringify(own, null, 2);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}
