import { readOptionalJson } from './json-text.js';

/** The query page's fields as typed. */
export interface QueryForm {
  readonly collection: string;
  readonly where: string;
  readonly sort: string;
  readonly fields: string;
  readonly joins: string;
  readonly count: string;
  readonly offset: string;
}

export type QueryBuild = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly error: string };

/** Builds MoltenDB's `/get` body from the form, leaving out blank fields; the error names the field at fault. */
export function buildQuery(form: QueryForm): QueryBuild {
  if (form.collection.trim() === '') return { ok: false, error: 'Collection: choose a collection' };
  const body: Record<string, unknown> = { collection: form.collection.trim() };
  for (const [field, label, text] of [
    ['where', 'Where', form.where],
    ['sort', 'Sort', form.sort],
    ['joins', 'Joins', form.joins],
  ] as const) {
    const read = readOptionalJson(text, label);
    if (!read.ok) return read;
    if (read.value !== undefined) body[field] = read.value;
  }
  const fields = form.fields
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
  if (fields.length > 0) body.fields = fields;
  for (const [field, label, text] of [
    ['count', 'Count', form.count],
    ['offset', 'Offset', form.offset],
  ] as const) {
    if (text.trim() === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) return { ok: false, error: `${label}: a whole number of 0 or more, got "${text}"` };
    body[field] = value;
  }
  return { ok: true, body };
}

/** `/get` answers a single key with the document itself and everything else with an array. */
export function resultRows(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result.filter((row): row is Record<string, unknown> => typeof row === 'object' && row !== null);
  if (typeof result === 'object' && result !== null) return [result as Record<string, unknown>];
  return [];
}
