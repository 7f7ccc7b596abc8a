/**
 * A deliberately naive model of executeFind, written independently of the
 * real modules: filter every document, sort everything, slice. Slow and
 * obviously correct; property tests compare the engine against it.
 */
import type { FieldCondition, JoinSpec, Projection, Query, ResultDoc, SortSpec, StoredDoc, Where } from '../types.js';

export type ReferenceData = Readonly<Record<string, readonly StoredDoc[]>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(doc: unknown, segments: readonly string[]): unknown {
  let current = doc;
  for (const segment of segments) {
    if (!isRecord(current) || !Object.keys(current).includes(segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Canonical JSON with sorted keys: two values are equal iff their canonical forms are. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((field) => `${JSON.stringify(field)}:${canonical(value[field])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function sameIgnoringCase(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return same(a, b);
}

function conditionHolds(value: unknown, condition: FieldCondition): boolean {
  const missing = value === undefined;
  switch (condition.op) {
    case 'eq':
      return !missing && same(value, condition.value);
    case 'ne':
      return missing || !same(value, condition.value);
    case 'in':
      return !missing && condition.values.some((item) => sameIgnoringCase(value, item));
    case 'nin':
      return missing || !condition.values.some((item) => sameIgnoringCase(value, item));
    case 'contains':
      if (typeof value === 'string') {
        return typeof condition.value === 'string' && value.toLowerCase().includes(condition.value.toLowerCase());
      }
      return Array.isArray(value) && value.some((item) => sameIgnoringCase(item, condition.value));
    default: {
      if (typeof value !== typeof condition.value) return false;
      const v = value as number | string;
      const bound = condition.value;
      if (condition.op === 'gt') return v > bound;
      if (condition.op === 'gte') return v >= bound;
      if (condition.op === 'lt') return v < bound;
      return v <= bound;
    }
  }
}

export function referenceMatches(doc: unknown, where: Where): boolean {
  if (where.kind === 'and') return where.children.every((child) => referenceMatches(doc, child));
  if (where.kind === 'or') return where.children.some((child) => referenceMatches(doc, child));
  return conditionHolds(get(doc, where.field.segments), where.condition);
}

/** [rank, comparable] or null for values that sort last in both directions. */
function sortKey(value: unknown): [number, number | string] | null {
  if (typeof value === 'number') return [0, value];
  if (typeof value === 'string') return [1, value];
  if (typeof value === 'boolean') return [2, value ? 1 : 0];
  return null;
}

function compareDocs(a: StoredDoc, b: StoredDoc, specs: readonly SortSpec[]): number {
  for (const spec of specs) {
    const ka = sortKey(get(a, spec.field.segments));
    const kb = sortKey(get(b, spec.field.segments));
    if (ka === null && kb === null) continue;
    if (ka === null) return 1;
    if (kb === null) return -1;
    const sign = spec.order === 'asc' ? 1 : -1;
    if (ka[0] !== kb[0]) return (ka[0] - kb[0]) * sign;
    if (ka[1] !== kb[1]) return (ka[1] < kb[1] ? -1 : 1) * sign;
  }
  if (a._seq !== b._seq) return b._seq - a._seq;
  return a._key < b._key ? -1 : a._key > b._key ? 1 : 0;
}

const OPT_IN = ['_seq', '_createdAt', '_modifiedAt', '_expiresAt'];

function pickPaths(value: Record<string, unknown>, paths: readonly (readonly string[])[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const firsts = [...new Set(paths.map((path) => path[0] as string))];
  for (const first of firsts) {
    if (!Object.keys(value).includes(first) || value[first] === undefined) continue;
    const group = paths.filter((path) => path[0] === first);
    const child = value[first];
    if (group.some((path) => path.length === 1)) {
      Object.defineProperty(result, first, { value: child, enumerable: true, writable: true, configurable: true });
    } else if (isRecord(child)) {
      const picked = pickPaths(
        child,
        group.map((path) => path.slice(1)),
      );
      if (Object.keys(picked).length > 0) {
        Object.defineProperty(result, first, { value: picked, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  return result;
}

export function referenceProject(doc: StoredDoc, projection: Projection): ResultDoc {
  if (projection.fields !== undefined) {
    return { ...pickPaths(doc, projection.fields.map((field) => field.segments)), _key: doc._key, _v: doc._v };
  }
  const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  for (const field of OPT_IN) Reflect.deleteProperty(copy, field);
  for (const { segments } of projection.excludedFields ?? []) {
    const parent = get(copy, segments.slice(0, -1));
    if (isRecord(parent)) Reflect.deleteProperty(parent, segments[segments.length - 1] as string);
  }
  return { ...copy, _key: doc._key, _v: doc._v };
}

export function referenceFind(data: ReferenceData, collection: string, query: Query, now: number): ResultDoc | undefined | ResultDoc[] {
  const live = (doc: StoredDoc): boolean => doc._expiresAt === undefined || doc._expiresAt > now;
  const find = (name: string, key: unknown): StoredDoc | undefined =>
    (data[name] ?? []).find((doc) => doc._key === key && live(doc));
  const joined = (doc: StoredDoc, join: JoinSpec): StoredDoc | undefined => {
    const key = get(doc, join.on.segments);
    return typeof key === 'string' ? find(join.from, key) : undefined;
  };
  const view = (doc: StoredDoc): StoredDoc => {
    const result: StoredDoc = { ...doc };
    for (const join of query.joins) {
      Object.defineProperty(result, join.alias, { value: joined(doc, join) ?? null, enumerable: true, writable: true, configurable: true });
    }
    return result;
  };
  const matches = (doc: StoredDoc): boolean => query.where === undefined || referenceMatches(view(doc), query.where);
  const output = (doc: StoredDoc): ResultDoc => {
    const result: ResultDoc = referenceProject(doc, query.projection);
    for (const join of query.joins) {
      const target = joined(doc, join);
      result[join.alias] = target === undefined ? null : referenceProject(target, join.projection);
    }
    return result;
  };

  if (typeof query.keys === 'string') {
    const doc = find(collection, query.keys);
    return doc !== undefined && matches(doc) ? output(doc) : undefined;
  }
  if (query.keys !== undefined) {
    const seen: string[] = [];
    for (const key of query.keys) if (!seen.includes(key)) seen.push(key);
    return seen
      .map((key) => find(collection, key))
      .filter((doc): doc is StoredDoc => doc !== undefined && matches(doc))
      .map(output);
  }
  const specs: SortSpec[] =
    query.sort.length > 0 ? [...query.sort] : [{ field: { path: '_seq', segments: ['_seq'] }, order: query.order }];
  return (data[collection] ?? [])
    .filter((doc) => live(doc) && matches(doc))
    .sort((a, b) => compareDocs(view(a), view(b), specs))
    .slice(query.offset, query.offset + query.count)
    .map(output);
}
