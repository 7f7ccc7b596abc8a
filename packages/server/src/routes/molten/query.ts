import { QueryError, type Collection, type QueryInput, type ResultDoc, type WhereInput } from '@kilndb/doc-engine';
import type { FastifyRequest } from 'fastify';
import { allows, allowsSome, principalOf } from '../../auth/guard.js';
import { HttpError } from '../../http-error.js';

/** A `/get` body without `collection`, as MoltenDB takes it (before conversion to the engine's QueryInput). */
export interface MoltenQuery {
  keys?: string | string[];
  where?: Record<string, unknown> | Record<string, unknown>[];
  fields?: string[];
  excludedFields?: string[];
  joins?: Record<string, unknown>[];
  sort?: (string | { field: string; order?: 'asc' | 'desc' })[];
  order?: 'asc' | 'desc';
  count?: number;
  offset?: number;
}

// Documents fetched per round when a key-scoped token's results are filtered.
const FILTER_PAGE = 1000;

/**
 * A MoltenDB `where` in the engine's terms: an array of clauses becomes `$and`, and string equality becomes
 * case-insensitive as MoltenDB's evaluator has it (`"brand": "apple"` matches "Apple"): `$eq`/`$equals` and
 * a plain string value become `$in` of one, `$ne`/`$notEquals` `$nin` of one (the engine folds case there).
 */
export function engineWhere(where: Record<string, unknown> | Record<string, unknown>[]): WhereInput {
  if (!Array.isArray(where)) return foldEquality(where) as WhereInput;
  const clauses = where.map(foldEquality);
  if (clauses.length === 1 && clauses[0] !== undefined) return clauses[0] as WhereInput;
  return (clauses.length === 0 ? {} : { $and: clauses }) as WhereInput;
}

const FOLDED: readonly (readonly [string, string])[] = [
  ['$eq', '$in'],
  ['$equals', '$in'],
  ['$ne', '$nin'],
  ['$notEquals', '$nin'],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function foldEquality(clause: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(clause).map(([field, condition]) => {
      if ((field === '$or' || field === '$and') && Array.isArray(condition)) {
        return [field, (condition as unknown[]).map((branch) => (isRecord(branch) ? foldEquality(branch) : branch))];
      }
      if (typeof condition === 'string') return [field, { $in: [condition] }];
      if (isRecord(condition) && Object.keys(condition).every((name) => name.startsWith('$'))) return [field, foldOperators(condition)];
      return [field, condition];
    }),
  );
}

function foldOperators(operators: Record<string, unknown>): Record<string, unknown> {
  const entries = Object.entries(operators).map(([name, value]): [string, unknown] => {
    const membership = FOLDED.find(([equality]) => equality === name)?.[1];
    // Left as is when the membership operator is also given (an object cannot hold it twice).
    if (membership === undefined || typeof value !== 'string' || Object.hasOwn(operators, membership)) return [name, value];
    return [membership, [value]];
  });
  return Object.fromEntries(entries);
}

/** The engine's QueryInput for a MoltenDB query: array `where` as `$and`, sort specs given as a bare field name as `{field}`. */
function engineQuery(query: MoltenQuery): QueryInput {
  const { where, sort, ...rest } = query;
  return {
    ...(rest as QueryInput),
    ...(where === undefined ? {} : { where: engineWhere(where) }),
    ...(sort === undefined ? {} : { sort: sort.map((spec) => (typeof spec === 'string' ? { field: spec } : spec)) }),
  };
}

/** Runs `find`, reporting a QueryError inside a converted array `where` at the path the caller wrote (`where[1]...`). */
function find(collection: Collection, query: MoltenQuery): ResultDoc | ResultDoc[] | undefined {
  try {
    return collection.find(engineQuery(query));
  } catch (error) {
    if (error instanceof QueryError && Array.isArray(query.where) && error.path.startsWith('where.$and[')) {
      const path = `where[${error.path.slice('where.$and['.length)}`;
      throw new HttpError(400, error.message.replace(error.path, path), { path, code: error.code });
    }
    throw error;
  }
}


/**
 * Runs a MoltenDB query for the request's principal. A token that may read the whole collection gets the
 * query as asked; a key-scoped token must hold every key it names, and otherwise sees only the documents it
 * may read (count and offset apply to those). Joined collections must be readable as a whole.
 */
export function readQuery(request: FastifyRequest, collection: Collection, query: MoltenQuery): ResultDoc | ResultDoc[] | undefined {
  const principal = principalOf(request);
  for (const from of joinedCollections(query.joins)) {
    if (!allows(principal, 'read', from)) throw new HttpError(403, `Token lacks read access to ${from} (joined)`);
  }
  if (allows(principal, 'read', collection.name)) return find(collection, query);
  if (!allowsSome(principal, 'read', collection.name)) throw new HttpError(403, `Token lacks read access to ${collection.name}`);
  if (query.keys !== undefined) {
    for (const key of typeof query.keys === 'string' ? [query.keys] : query.keys) {
      if (!allows(principal, 'read', collection.name, key)) throw new HttpError(403, `Token lacks read access to ${collection.name}/${key}`);
    }
    return find(collection, query);
  }
  const offset = query.offset ?? 0;
  const wanted = offset + (query.count ?? 100);
  const readable: ResultDoc[] = [];
  // Pages through the full result in the query's own order, keeping what the token may read; bounded by the collection's size.
  for (let page = 0; readable.length < wanted; page += FILTER_PAGE) {
    const batch = find(collection, { ...query, offset: page, count: FILTER_PAGE }) as ResultDoc[];
    for (const doc of batch) if (allows(principal, 'read', collection.name, doc._key)) readable.push(doc);
    if (batch.length < FILTER_PAGE) break;
  }
  return readable.slice(offset, wanted);
}

/** The `from` collections of a joins array (malformed joins are left to the engine to report). */
function joinedCollections(joins: MoltenQuery['joins']): string[] {
  const names: string[] = [];
  for (const join of joins ?? []) {
    for (const spec of Object.values(join)) {
      const from = (spec as { from?: unknown } | null)?.from;
      if (typeof from === 'string') names.push(from);
    }
  }
  return names;
}

/** MoltenDB answers timestamps as ISO-8601 strings; the engine keeps unix ms. */
const TIMESTAMP_FIELDS = ['_createdAt', '_modifiedAt', '_expiresAt'] as const;

/** A result document as MoltenDB shows it: system timestamps as ISO strings; without `_key` for a single-key lookup. */
export function moltenDoc(doc: ResultDoc, withKey: boolean): Record<string, unknown> {
  // A rest copy rather than `delete out._key`: a deleted property turns the object into a dictionary,
  // which JSON.stringify walks several times slower.
  let out: Record<string, unknown>;
  if (withKey) {
    out = { ...doc };
  } else {
    const { _key, ...rest } = doc;
    out = rest;
  }
  for (const field of TIMESTAMP_FIELDS) {
    const value = out[field];
    if (typeof value === 'number') out[field] = new Date(value).toISOString();
  }
  return out;
}
