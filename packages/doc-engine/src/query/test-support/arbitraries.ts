/**
 * fast-check generators of small collections and valid `/get` bodies over a
 * deliberately tiny value space, so random queries hit ties, case variants,
 * mixed types, missing fields, expired documents and dangling join references.
 */
import fc from 'fast-check';
import type { StoredDoc } from '../types.js';

export const NOW = 10_000;

const STRINGS = ['a', 'A', 'b', 'B', 'ab', 'Ab', 'ba', ''];
const NUMBERS = [-2, -1, 0, 1, 1.5, 2, 3];

const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 4, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 2, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** A field value, or undefined for "field absent". */
const fieldValue = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...STRINGS, 1, 2), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant({ x: 1 }) },
);

/** Drops undefined-valued fields and gives the object the usual prototype: generated documents must be JSON. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function withFields(base: StoredDoc, fields: Record<string, unknown>): StoredDoc {
  for (const [field, value] of Object.entries(fields)) if (value !== undefined) base[field] = value;
  return base;
}

const expiry = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(NOW - 1, NOW, NOW + 1) });

const OTHER_KEYS = ['o0', 'o1', 'o2', 'o3'];

function collection(size: number, keyPrefix: string, fields: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<StoredDoc[]> {
  return fc
    .array(fc.tuple(fields, expiry, fc.integer({ min: 1, max: 3 })), { maxLength: size, size: 'max' })
    .chain((rows) =>
      fc.shuffledSubarray(
        Array.from({ length: rows.length }, (_, i) => i + 1),
        { minLength: rows.length, maxLength: rows.length },
      ).map((seqs) =>
        rows.map(([values, expiresAt, version], i) => {
          const seq = (seqs[i] as number) * 10;
          const doc: StoredDoc = { _key: `${keyPrefix}${i}`, _v: version, _seq: seq, _createdAt: seq, _modifiedAt: seq + version };
          if (expiresAt !== undefined) doc._expiresAt = expiresAt;
          return withFields(doc, values);
        }),
      ),
    );
}

export const itemsArbitrary = collection(
  25,
  'k',
  fc.record({
    n: fieldValue,
    s: fieldValue,
    tags: fieldValue,
    nested: fc.oneof(
      fc.constant(undefined),
      fc.constant(7),
      fc.record({ m: fieldValue, deep: fc.oneof(fc.constant(undefined), fc.record({ z: fieldValue }).map(compact)) }).map(compact),
    ),
    ref: fc.oneof(fc.constantFrom(...OTHER_KEYS, 'missing'), fc.constant(undefined), fc.constant(3)),
    // A base field with the join alias's name, which the join must shadow.
    other: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ rank: scalar }).map(compact) }),
  }),
);

export const othersArbitrary = collection(4, 'o', fc.record({ rank: fieldValue, name: fieldValue }));

/** Paths the where/sort generators use; `other.*` are joined fields when the join is present. */
const PATHS = ['n', 's', 'tags', 'nested', 'nested.m', 'nested.deep.z', '_seq', '_key', '_v', 'other.rank', 'other.name', 'absent'];
/** Fields the engine maintains secondary indexes on in the "indexed" runs. */
export const INDEXED_PATHS = ['n', 's', 'tags', 'nested.m', 'nested.deep.z', '_seq', '_v', 'other.rank', 'ref'];

const operand = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(['a', 1], { x: 1 }, ['A']) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('k1', 'k3', 'K2') },
);
const rangeOperand = fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS), fc.constantFrom(10, 20, 30));

const fieldCondition: fc.Arbitrary<unknown> = fc.oneof(
  operand,
  fc.record({ $eq: operand }),
  fc.record({ $ne: operand }),
  fc.record({ $ne: operand }),
  fc.record({ $nin: fc.array(operand, { maxLength: 2 }) }),
  fc.record({ $gt: rangeOperand }),
  fc.record({ $gte: rangeOperand }),
  fc.record({ $lt: rangeOperand }),
  fc.record({ $lte: rangeOperand }),
  fc.record({ $gte: rangeOperand, $lt: rangeOperand }),
  fc.record({ $in: fc.array(operand, { maxLength: 3 }) }),
  fc.record({ $nin: fc.array(operand, { maxLength: 3 }) }),
  fc.record({ $contains: operand }),
);

/** A where object with up to `depth` levels of $or / $and below it (each present one time in four). */
function whereAt(depth: number): fc.Arbitrary<Record<string, unknown>> {
  // Real fields more often than the rarely-present ones.
  const fields = fc.dictionary(fc.constantFrom(...PATHS, 'n', 's', 'n', 's', 'tags'), fieldCondition, { maxKeys: 2 });
  if (depth === 0) return fields;
  const branches = fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.array(whereAt(depth - 1), { minLength: 1, maxLength: 3 }) },
  );
  return fc
    .tuple(fields, branches, branches)
    .map(([conditions, or, and]) => ({ ...conditions, ...(or === undefined ? {} : { $or: or }), ...(and === undefined ? {} : { $and: and }) }));
}

const whereObject = whereAt(2);

const sortSpec = fc.record({ field: fc.constantFrom(...PATHS), order: fc.constantFrom('asc', 'desc') });
const projectionPaths = fc.uniqueArray(fc.constantFrom(...PATHS, '_createdAt', '_modifiedAt', '_expiresAt', 'nested.deep'), { maxLength: 4 });
const join = fc.record(
  { from: fc.constant('others'), on: fc.constant('ref'), fields: fc.uniqueArray(fc.constantFrom('rank', 'name', '_seq'), { maxLength: 2 }) },
  { requiredKeys: ['from', 'on'] },
);

/** A valid `/get` body without `keys`. */
export const findBodyArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      where: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: whereObject }),
      ordering: fc.oneof(
        fc.constant({}),
        fc.constantFrom('asc', 'desc').map((order) => ({ order })),
        fc.array(sortSpec, { minLength: 1, maxLength: 3 }).map((sort) => ({ sort })),
      ),
      count: fc.integer({ min: 1, max: 12 }),
      offset: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 25 }) }),
      projection: fc.oneof(
        fc.constant({}),
        projectionPaths.map((fields) => ({ fields })),
        projectionPaths.map((excludedFields) => ({ excludedFields })),
      ),
      joins: join.map((spec) => [{ other: spec }]),
    },
    { requiredKeys: ['where', 'ordering', 'projection'] },
  )
  .map(({ where, ordering, projection, ...rest }) => ({ ...(where === undefined ? {} : { where }), ...rest, ...ordering, ...projection }));

const INDEXABLE_CONDITION_PATHS = ['n', 's', 'nested.m', 'nested.deep.z', '_v'];

/**
 * A `/get` body whose where is a conjunction of conditions the planner can
 * answer from an index (equality, $in, ranges), so that with filter indexes
 * (and no `_seq` index) nearly every query goes through an index lookup.
 */
export const indexFilterBodyArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.record({
  where: fc.dictionary(
    fc.constantFrom(...INDEXABLE_CONDITION_PATHS),
    fc.oneof(
      scalar,
      fc.record({ $in: fc.array(scalar, { maxLength: 3 }) }),
      fc.record({ $gt: rangeOperand }),
      fc.record({ $gte: rangeOperand }),
      fc.record({ $lt: rangeOperand }),
      fc.record({ $lte: rangeOperand }),
      fc.record({ $gte: rangeOperand, $lte: rangeOperand }),
      fc.record({ $gt: rangeOperand, $lt: rangeOperand }),
    ),
    { minKeys: 1, maxKeys: 2 },
  ),
  order: fc.constantFrom('asc', 'desc'),
  count: fc.constant(25),
});

/** A valid `/get` body with `keys`. */
export const keysBodyArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    keys: fc.oneof(fc.constantFrom('k0', 'k1', 'k5', 'nope'), fc.array(fc.constantFrom('k0', 'k1', 'k2', 'k7', 'nope'), { maxLength: 5 })),
    where: whereObject,
    fields: projectionPaths,
    joins: join.map((spec) => [{ other: spec }]),
  },
  { requiredKeys: ['keys'] },
);

/** Fields the range + sort bodies bound and order by: plain, nested, a system field, and one no index covers. */
const RANGE_SORT_PATHS = ['n', 's', 'nested.m', '_v', 'absent'];

/** A range (sometimes as equality) on one field: number or string bounds, mixed at times (then nothing matches). */
const rangeOn = fc.oneof(
  { weight: 3, arbitrary: fc.record({ $gt: rangeOperand }) },
  { weight: 3, arbitrary: fc.record({ $gte: rangeOperand }) },
  { weight: 3, arbitrary: fc.record({ $lt: rangeOperand }) },
  { weight: 2, arbitrary: fc.record({ $lte: rangeOperand }) },
  { weight: 4, arbitrary: fc.record({ $gte: rangeOperand, $lt: rangeOperand }) },
  { weight: 3, arbitrary: fc.record({ $gt: rangeOperand, $lte: rangeOperand }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...NUMBERS, ...STRINGS) },
);

/**
 * A `/get` body for the sorted-range paths: a range on one field, sometimes with
 * more conditions (on the same field too), sorted by that field (asc or desc,
 * sometimes with a second key) or by another field, with offsets that reach past
 * the first group and counts that end inside a group of ties.
 */
export const rangeSortBodyArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    field: fc.constantFrom(...RANGE_SORT_PATHS),
    range: rangeOn,
    more: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('n', 's', 'tags', 'nested.m'), fieldCondition, { minKeys: 1, maxKeys: 1 }) },
      { weight: 1, arbitrary: fc.array(whereAt(0), { minLength: 1, maxLength: 2 }).map((or) => ({ $or: or })) },
    ),
    sameFieldToo: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: rangeOn }),
    sortBy: fc.oneof({ weight: 3, arbitrary: fc.constant('same') }, { weight: 1, arbitrary: fc.constantFrom(...RANGE_SORT_PATHS, '_seq') }),
    order: fc.constantFrom('asc', 'desc'),
    then: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: sortSpec }),
    count: fc.integer({ min: 1, max: 12 }),
    offset: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 25 }) }),
  })
  .map(({ field, range, more, sameFieldToo, sortBy, order, then, count, offset }) => {
    const conditions = [{ [field]: range }, ...(more === undefined ? [] : [more]), ...(sameFieldToo === undefined ? [] : [{ [field]: sameFieldToo }])];
    const where = conditions.length === 1 ? conditions[0] : { $and: conditions };
    const sort = [{ field: sortBy === 'same' ? field : sortBy, order }, ...(then === undefined ? [] : [then])];
    return { where, sort, count, offset };
  });

/** The collection with `_seq` values shared by several documents (as an import can bring), so ties reach `_key`. */
export const itemsSharingSeqsArbitrary = itemsArbitrary.map((docs) =>
  docs.map((doc) => {
    const seq = Math.ceil(doc._seq / 40) * 10;
    return { ...doc, _seq: seq, _createdAt: seq };
  }),
);
