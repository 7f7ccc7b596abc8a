import { compileReader, deepEqual, foldCase, looselyEqual } from './values.js';
import type { FieldCondition, JsonValue, Where } from './types.js';

export type DocPredicate = (doc: unknown) => boolean;

/*
 * Semantics (MoltenDB's):
 * - a plain value and $eq mean structural equality, case-sensitive for strings;
 * - $gt/$gte/$lt/$lte compare numbers numerically and strings by UTF-16 code
 *   units; a value of another type than the bound never matches;
 * - $in, $nin and $contains compare strings CASE-INSENSITIVELY (MoltenDB does);
 * - a missing field matches only $ne and $nin.
 */

type ValueTest = (value: unknown) => boolean;

function rangeTest(condition: FieldCondition & { value: number | string }): ValueTest {
  const bound = condition.value;
  const type = typeof bound;
  switch (condition.op) {
    case 'gt':
      return (value) => typeof value === type && (value as typeof bound) > bound;
    case 'gte':
      return (value) => typeof value === type && (value as typeof bound) >= bound;
    case 'lt':
      return (value) => typeof value === type && (value as typeof bound) < bound;
    default:
      return (value) => typeof value === type && (value as typeof bound) <= bound;
  }
}

function equalityTest(expected: JsonValue): ValueTest {
  if (typeof expected === 'object' && expected !== null) return (value) => deepEqual(value, expected);
  return (value) => value === expected;
}

/** `$in`: strings are matched through a set of folded forms, other scalars through a set, arrays/objects structurally. */
function memberTest(values: readonly JsonValue[]): ValueTest {
  const folded = new Set<string>();
  const scalars = new Set<unknown>();
  const structured: JsonValue[] = [];
  for (const item of values) {
    if (typeof item === 'string') folded.add(foldCase(item));
    else if (typeof item === 'object' && item !== null) structured.push(item);
    else scalars.add(item);
  }
  return (value) => {
    if (typeof value === 'string') return folded.has(foldCase(value));
    if (typeof value === 'object' && value !== null) return structured.some((item) => deepEqual(value, item));
    return scalars.has(value);
  };
}

function containsTest(needle: JsonValue): ValueTest {
  const foldedNeedle = typeof needle === 'string' ? foldCase(needle) : undefined;
  return (value) => {
    if (typeof value === 'string') return foldedNeedle !== undefined && foldCase(value).includes(foldedNeedle);
    if (Array.isArray(value)) return value.some((item) => looselyEqual(item, needle));
    return false;
  };
}

function fieldPredicate(segments: readonly string[], condition: FieldCondition): DocPredicate {
  let test: ValueTest;
  let matchesMissing = false;
  switch (condition.op) {
    case 'eq':
      test = equalityTest(condition.value);
      break;
    case 'ne': {
      const equal = equalityTest(condition.value);
      test = (value) => !equal(value);
      matchesMissing = true;
      break;
    }
    case 'in':
      test = memberTest(condition.values);
      break;
    case 'nin': {
      const member = memberTest(condition.values);
      test = (value) => !member(value);
      matchesMissing = true;
      break;
    }
    case 'contains':
      test = containsTest(condition.value);
      break;
    default:
      test = rangeTest(condition);
  }
  const read = compileReader(segments);
  return (doc) => {
    const value = read(doc);
    return value === undefined ? matchesMissing : test(value);
  };
}

/** Compiles a parsed where into a predicate; compile once, call per document. */
export function compileWhere(where: Where): DocPredicate {
  switch (where.kind) {
    case 'field':
      return fieldPredicate(where.field.segments, where.condition);
    case 'and': {
      const parts = where.children.map(compileWhere);
      if (parts.length === 1 && parts[0] !== undefined) return parts[0];
      return (doc) => parts.every((part) => part(doc));
    }
    case 'or': {
      const parts = where.children.map(compileWhere);
      return (doc) => parts.some((part) => part(doc));
    }
  }
}

const compiled = new WeakMap<Where, DocPredicate>();

/** True when `doc` satisfies `where` (see the semantics above). Caches the compiled form per where object. */
export function matchesWhere(doc: unknown, where: Where): boolean {
  let predicate = compiled.get(where);
  if (predicate === undefined) {
    predicate = compileWhere(where);
    compiled.set(where, predicate);
  }
  return predicate(doc);
}
