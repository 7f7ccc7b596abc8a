/** Any value that JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [field: string]: JsonValue;
}

/**
 * A document as the engine hands it to the query layer: the user's fields plus
 * the system fields. `_expiresAt` is virtual (computed by the engine, never stored).
 */
export interface StoredDoc {
  _key: string;
  /** Version: 1 on insert, +1 on every write. */
  _v: number;
  /** Per-collection insertion sequence number, kept across overwrites. */
  _seq: number;
  /** Unix ms. */
  _createdAt: number;
  /** Unix ms. */
  _modifiedAt: number;
  /** Unix ms; a document with `_expiresAt <= now` is treated as gone. */
  _expiresAt?: number;
  [field: string]: unknown;
}

/** What a query returns per document: `_key` and `_v` always, the rest per projection. */
export interface ResultDoc {
  _key: string;
  _v: number;
  [field: string]: unknown;
}

export type SortOrder = 'asc' | 'desc';

// ---- The JSON body a caller sends (the `/get` body without `collection`). ----

export type FieldOperatorInput = Partial<
  Record<'$eq' | '$equals' | '$ne' | '$notEquals', JsonValue> &
    Record<'$gt' | '$greaterThan' | '$gte' | '$lt' | '$lessThan' | '$lte', number | string> &
    Record<'$in' | '$oneOf' | '$nin' | '$notIn', JsonValue[]> &
    Record<'$contains' | '$ct', JsonValue>
>;

export interface WhereInput {
  $or?: WhereInput[];
  $and?: WhereInput[];
  [fieldPath: string]: JsonValue | FieldOperatorInput | WhereInput[] | undefined;
}

export interface JoinInput {
  from: string;
  on: string;
  fields?: string[];
}

export interface QueryInput {
  keys?: string | string[];
  where?: WhereInput;
  fields?: string[];
  excludedFields?: string[];
  sort?: { field: string; order?: SortOrder }[];
  order?: SortOrder;
  count?: number;
  offset?: number;
  joins?: Record<string, JoinInput>[];
}

// ---- The validated, normalised forms produced by parseQuery / parseWhere. ----

/** A dot path split into segments once, at parse time. */
export interface FieldPath {
  readonly path: string;
  readonly segments: readonly string[];
}

export type RangeOperator = 'gt' | 'gte' | 'lt' | 'lte';

export type FieldCondition =
  | { readonly op: 'eq' | 'ne'; readonly value: JsonValue }
  | { readonly op: RangeOperator; readonly value: number | string }
  | { readonly op: 'in' | 'nin'; readonly values: readonly JsonValue[] }
  | { readonly op: 'contains'; readonly value: JsonValue };

/** A parsed `where`: a tree of AND / OR nodes over single-field conditions. */
export type Where =
  | { readonly kind: 'and'; readonly children: readonly Where[] }
  | { readonly kind: 'or'; readonly children: readonly Where[] }
  | { readonly kind: 'field'; readonly field: FieldPath; readonly condition: FieldCondition };

export interface SortSpec {
  readonly field: FieldPath;
  readonly order: SortOrder;
}

export interface Projection {
  readonly fields?: readonly FieldPath[];
  readonly excludedFields?: readonly FieldPath[];
}

export interface JoinSpec {
  readonly alias: string;
  readonly from: string;
  readonly on: FieldPath;
  readonly projection: Projection;
}

export interface Query {
  readonly keys?: string | readonly string[];
  readonly where?: Where;
  readonly projection: Projection;
  /** Empty when the query has no `sort`; `order` then decides the `_seq` direction. */
  readonly sort: readonly SortSpec[];
  readonly order: SortOrder;
  readonly count: number;
  readonly offset: number;
  readonly joins: readonly JoinSpec[];
}
