import { MAX_JSON_DEPTH } from '@kilndb/payload-store/json';
import { QueryError } from './errors.js';
import { isPlainObject, setOwn, toFieldPath } from './values.js';
import type {
  FieldCondition,
  FieldPath,
  JoinSpec,
  JsonValue,
  Projection,
  Query,
  SortOrder,
  SortSpec,
  Where,
} from './types.js';

export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;
/** Deepest nesting of `$and` / `$or` clauses; deeper is a QueryError rather than a stack overflow. */
export const MAX_WHERE_DEPTH = 100;

type OperatorName = FieldCondition['op'];

const OPERATORS = new Map<string, OperatorName>([
  ['$eq', 'eq'],
  ['$equals', 'eq'],
  ['$ne', 'ne'],
  ['$notEquals', 'ne'],
  ['$gt', 'gt'],
  ['$greaterThan', 'gt'],
  ['$gte', 'gte'],
  ['$lt', 'lt'],
  ['$lessThan', 'lt'],
  ['$lte', 'lte'],
  ['$in', 'in'],
  ['$oneOf', 'in'],
  ['$nin', 'nin'],
  ['$notIn', 'nin'],
  ['$contains', 'contains'],
  ['$ct', 'contains'],
]);
const OPERATOR_LIST = [...OPERATORS.keys()].join(', ');

const QUERY_PROPERTIES = ['keys', 'where', 'fields', 'excludedFields', 'sort', 'order', 'count', 'offset', 'joins'];
const NOT_WITH_KEYS = ['sort', 'order', 'count', 'offset'] as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function join(path: string, property: string): string {
  return path === '' ? property : `${path}.${property}`;
}

function expectObject(value: unknown, path: string, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new QueryError('invalid-type', path, `${what} must be an object, got ${describe(value)}`);
  return value;
}

function rejectUnknown(record: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const property of Object.keys(record)) {
    if (!allowed.includes(property)) {
      throw new QueryError(
        'unknown-property',
        join(path, property),
        `unknown property ${JSON.stringify(property)} (allowed: ${allowed.join(', ')})`,
      );
    }
  }
}

/** Validates a JSON value and returns a copy, so later changes to the input do not alter the parsed query. */
function jsonValue(value: unknown, path: string, depth = 0): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new QueryError('invalid-value', path, `${String(value)} is not a JSON number`);
      return value;
    case 'object': {
      if (value === null) return null;
      // As deep as a document's field may nest; a cyclic value ends here too.
      if (depth >= MAX_JSON_DEPTH) throw new QueryError('out-of-range', path, `the value nests deeper than ${MAX_JSON_DEPTH} levels`);
      if (Array.isArray(value)) return value.map((item, i) => jsonValue(item, `${path}[${i}]`, depth + 1));
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new QueryError('invalid-type', path, 'only plain JSON objects are allowed');
      }
      const copy: Record<string, JsonValue> = {};
      for (const [field, item] of Object.entries(value)) setOwn(copy, field, jsonValue(item, join(path, field), depth + 1));
      return copy;
    }
    default:
      throw new QueryError('invalid-type', path, `${typeof value} is not a JSON value`);
  }
}

function dotPath(value: unknown, path: string): FieldPath {
  if (typeof value !== 'string') throw new QueryError('invalid-type', path, `a field path must be a string, got ${describe(value)}`);
  if (value.split('.').includes('')) {
    throw new QueryError('invalid-value', path, `${JSON.stringify(value)} is not a valid dot path (empty segment)`);
  }
  return toFieldPath(value);
}

function pathList(value: unknown, path: string): FieldPath[] {
  if (!Array.isArray(value)) throw new QueryError('invalid-type', path, `must be an array of field paths, got ${describe(value)}`);
  return value.map((item, i) => dotPath(item, `${path}[${i}]`));
}

function sortOrder(value: unknown, path: string): SortOrder {
  if (value !== 'asc' && value !== 'desc') {
    throw new QueryError('invalid-value', path, `must be "asc" or "desc", got ${describe(value)}`);
  }
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number') throw new QueryError('invalid-type', path, `must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value)) throw new QueryError('invalid-value', path, `must be an integer, got ${String(value)}`);
  if (value < min || value > max) {
    throw new QueryError('out-of-range', path, `must be between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

function operatorCondition(op: OperatorName, value: unknown, path: string): FieldCondition {
  switch (op) {
    case 'eq':
    case 'ne':
    case 'contains':
      return { op, value: jsonValue(value, path) };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value === 'string') return { op, value };
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) throw new QueryError('invalid-value', path, `${String(value)} is not a JSON number`);
        return { op, value };
      }
      throw new QueryError('invalid-type', path, `a range operator takes a number or a string, got ${describe(value)}`);
    case 'in':
    case 'nin':
      if (!Array.isArray(value)) throw new QueryError('invalid-type', path, `expects an array of values, got ${describe(value)}`);
      return { op, values: value.map((item, i) => jsonValue(item, `${path}[${i}]`)) };
  }
}

function fieldConditions(field: FieldPath, value: unknown, path: string, into: Where[]): void {
  if (isPlainObject(value)) {
    const properties = Object.keys(value);
    const operators = properties.filter((property) => property.startsWith('$'));
    if (operators.length > 0) {
      const plain = properties.find((property) => !property.startsWith('$'));
      if (plain !== undefined) {
        throw new QueryError(
          'conflict',
          join(path, plain),
          `an operator object cannot also hold the plain field ${JSON.stringify(plain)}; use {"$eq": {...}} to match an object`,
        );
      }
      for (const property of operators) {
        const op = OPERATORS.get(property);
        const operatorPath = join(path, property);
        if (op === undefined) {
          throw new QueryError('unknown-operator', operatorPath, `unknown operator ${JSON.stringify(property)} (supported: ${OPERATOR_LIST})`);
        }
        into.push({ kind: 'field', field, condition: operatorCondition(op, value[property], operatorPath) });
      }
      return;
    }
  }
  into.push({ kind: 'field', field, condition: { op: 'eq', value: jsonValue(value, path) } });
}

function whereObject(input: unknown, path: string, depth: number): Where {
  const record = expectObject(input, path, 'a where clause');
  const children: Where[] = [];
  for (const [property, value] of Object.entries(record)) {
    const propertyPath = join(path, property);
    if (property === '$or' || property === '$and') {
      if (!Array.isArray(value)) {
        throw new QueryError('invalid-type', propertyPath, `${property} expects an array of where clauses, got ${describe(value)}`);
      }
      if (value.length === 0) throw new QueryError('invalid-value', propertyPath, `${property} needs at least one where clause`);
      if (depth >= MAX_WHERE_DEPTH) {
        throw new QueryError('out-of-range', propertyPath, `$and and $or nest deeper than ${MAX_WHERE_DEPTH} levels`);
      }
      const branches = value.map((branch, i) => whereObject(branch, `${propertyPath}[${i}]`, depth + 1));
      children.push({ kind: property === '$or' ? 'or' : 'and', children: branches });
    } else if (property.startsWith('$')) {
      const hint = OPERATORS.has(property) ? ' (field operators go inside a field: {"age": {"$gt": 5}})' : '';
      throw new QueryError(
        'unknown-operator',
        propertyPath,
        `${JSON.stringify(property)} cannot combine where clauses; only $or and $and can${hint}`,
      );
    } else {
      fieldConditions(dotPath(property, propertyPath), value, propertyPath, children);
    }
  }
  const [only] = children;
  return children.length === 1 && only !== undefined ? only : { kind: 'and', children };
}

/**
 * Validates a `where` clause (as used by `/get` and `/delete`) and returns its
 * parsed form. Throws QueryError naming the offending path.
 */
export function parseWhere(input: unknown, path = 'where'): Where {
  return whereObject(input, path, 0);
}

function projection(record: Record<string, unknown>, path: string): Projection {
  const { fields, excludedFields } = record;
  if (fields !== undefined && excludedFields !== undefined) {
    throw new QueryError('conflict', join(path, 'excludedFields'), '"fields" and "excludedFields" cannot be used together');
  }
  if (fields !== undefined) return { fields: pathList(fields, join(path, 'fields')) };
  if (excludedFields !== undefined) return { excludedFields: pathList(excludedFields, join(path, 'excludedFields')) };
  return {};
}

function keys(value: unknown): string | string[] {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw new QueryError('invalid-type', 'keys', `must be a string or an array of strings, got ${describe(value)}`);
  return value.map((item, i) => {
    if (typeof item !== 'string') throw new QueryError('invalid-type', `keys[${i}]`, `a key must be a string, got ${describe(item)}`);
    return item;
  });
}

function sortSpecs(value: unknown): SortSpec[] {
  if (!Array.isArray(value)) throw new QueryError('invalid-type', 'sort', `must be an array of {field, order}, got ${describe(value)}`);
  if (value.length === 0) throw new QueryError('invalid-value', 'sort', 'needs at least one {field, order}');
  return value.map((item, i) => {
    const path = `sort[${i}]`;
    const spec = expectObject(item, path, 'a sort spec');
    rejectUnknown(spec, ['field', 'order'], path);
    return {
      field: dotPath(spec.field, `${path}.field`),
      order: spec.order === undefined ? 'asc' : sortOrder(spec.order, `${path}.order`),
    };
  });
}

function joinSpecs(value: unknown): JoinSpec[] {
  if (!Array.isArray(value)) throw new QueryError('invalid-type', 'joins', `must be an array of {alias: {from, on, fields}}, got ${describe(value)}`);
  const aliases = new Set<string>();
  return value.map((item, i) => {
    const path = `joins[${i}]`;
    const wrapper = expectObject(item, path, 'a join');
    const names = Object.keys(wrapper);
    const [alias] = names;
    if (alias === undefined || names.length !== 1) {
      throw new QueryError('invalid-value', path, `a join must have exactly one alias key, got ${names.length}`);
    }
    const aliasPath = join(path, alias);
    if (alias === '' || alias.includes('.') || alias.startsWith('_') || alias.startsWith('$')) {
      throw new QueryError('invalid-value', aliasPath, `${JSON.stringify(alias)} is not a usable alias (no dots; must not start with _ or $)`);
    }
    if (aliases.has(alias)) throw new QueryError('conflict', aliasPath, `alias ${JSON.stringify(alias)} is used by more than one join`);
    aliases.add(alias);
    const spec = expectObject(wrapper[alias], aliasPath, 'a join spec');
    rejectUnknown(spec, ['from', 'on', 'fields'], aliasPath);
    if (typeof spec.from !== 'string' || spec.from === '') {
      throw new QueryError('invalid-type', join(aliasPath, 'from'), `must be a collection name, got ${describe(spec.from)}`);
    }
    return {
      alias,
      from: spec.from,
      on: dotPath(spec.on, join(aliasPath, 'on')),
      projection: spec.fields === undefined ? {} : { fields: pathList(spec.fields, join(aliasPath, 'fields')) },
    };
  });
}

/**
 * Validates a `/get` body (without `collection`) and returns the normalised
 * query with defaults applied (order 'desc', count 100, offset 0).
 * Throws QueryError naming the offending path and problem.
 */
export function parseQuery(input: unknown): Query {
  const record = expectObject(input, '', 'a query');
  rejectUnknown(record, QUERY_PROPERTIES, '');
  if (record.sort !== undefined && record.order !== undefined) {
    throw new QueryError('conflict', 'order', '"order" cannot be combined with "sort" (put the direction in each sort spec)');
  }
  if (record.keys !== undefined) {
    const clash = NOT_WITH_KEYS.find((property) => record[property] !== undefined);
    if (clash !== undefined) {
      throw new QueryError('conflict', clash, `"${clash}" does not apply to a "keys" lookup (documents come back in the requested key order)`);
    }
  }
  const joins = record.joins === undefined ? [] : joinSpecs(record.joins);
  return {
    ...(record.keys === undefined ? {} : { keys: keys(record.keys) }),
    ...(record.where === undefined ? {} : { where: parseWhere(record.where) }),
    projection: projection(record, ''),
    sort: record.sort === undefined ? [] : sortSpecs(record.sort),
    order: record.order === undefined ? 'desc' : sortOrder(record.order, 'order'),
    count: record.count === undefined ? DEFAULT_COUNT : integer(record.count, 'count', 1, MAX_COUNT),
    offset: record.offset === undefined ? 0 : integer(record.offset, 'offset', 0, Number.MAX_SAFE_INTEGER),
    joins,
  };
}
