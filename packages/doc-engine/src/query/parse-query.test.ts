import { describe, expect, it } from 'vitest';
import { QueryError, type QueryErrorCode } from './errors.js';
import { MAX_WHERE_DEPTH, parseQuery, parseWhere } from './parse-query.js';

function errorOf(run: () => unknown): QueryError {
  try {
    run();
  } catch (error) {
    if (error instanceof QueryError) return error;
    throw error;
  }
  throw new Error('expected a QueryError');
}

function expectRejected(input: unknown, code: QueryErrorCode, path: string, messagePart: string): void {
  const error = errorOf(() => parseQuery(input));
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('QueryError');
  expect({ code: error.code, path: error.path }).toEqual({ code, path });
  expect(error.message).toContain(messagePart);
  if (path !== '') expect(error.message).toContain(path);
}

describe('parseQuery defaults and shapes', () => {
  it('applies the defaults to an empty body', () => {
    expect(parseQuery({})).toEqual({ projection: {}, sort: [], order: 'desc', count: 100, offset: 0, joins: [] });
  });

  it('normalises every property', () => {
    const query = parseQuery({
      where: { brand: 'Apple', price: { $lt: 2000, $gte: 100 } },
      fields: ['brand', 'specs.cpu'],
      sort: [{ field: 'price', order: 'desc' }, { field: 'brand' }],
      count: 10,
      offset: 5,
      joins: [{ ram: { from: 'memory', on: 'memory_id', fields: ['capacity_gb'] } }],
    });
    expect(query.where).toEqual({
      kind: 'and',
      children: [
        { kind: 'field', field: { path: 'brand', segments: ['brand'] }, condition: { op: 'eq', value: 'Apple' } },
        { kind: 'field', field: { path: 'price', segments: ['price'] }, condition: { op: 'lt', value: 2000 } },
        { kind: 'field', field: { path: 'price', segments: ['price'] }, condition: { op: 'gte', value: 100 } },
      ],
    });
    expect(query.projection).toEqual({
      fields: [
        { path: 'brand', segments: ['brand'] },
        { path: 'specs.cpu', segments: ['specs', 'cpu'] },
      ],
    });
    expect(query.sort.map((spec) => [spec.field.path, spec.order])).toEqual([
      ['price', 'desc'],
      ['brand', 'asc'],
    ]);
    expect([query.count, query.offset]).toEqual([10, 5]);
    expect(query.joins).toEqual([
      {
        alias: 'ram',
        from: 'memory',
        on: { path: 'memory_id', segments: ['memory_id'] },
        projection: { fields: [{ path: 'capacity_gb', segments: ['capacity_gb'] }] },
      },
    ]);
  });

  it('accepts single and multiple keys, with a where', () => {
    expect(parseQuery({ keys: 'lp1' }).keys).toBe('lp1');
    expect(parseQuery({ keys: ['a', 'b'], where: { x: 1 } }).keys).toEqual(['a', 'b']);
  });

  it('maps every operator alias to its operator', () => {
    const aliases: [string, string][] = [
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
      ['$contains', 'contains'],
      ['$ct', 'contains'],
    ];
    for (const [alias, op] of aliases) {
      expect(parseWhere({ a: { [alias]: 1 } })).toMatchObject({ condition: { op } });
    }
    for (const [alias, op] of [
      ['$in', 'in'],
      ['$oneOf', 'in'],
      ['$nin', 'nin'],
      ['$notIn', 'nin'],
    ]) {
      expect(parseWhere({ a: { [alias as string]: [1] } })).toEqual({
        kind: 'field',
        field: { path: 'a', segments: ['a'] },
        condition: { op, values: [1] },
      });
    }
  });

  it('treats an object without operators as a value to compare structurally', () => {
    expect(parseWhere({ specs: { ram: 16, tags: ['x'] } })).toMatchObject({ condition: { op: 'eq', value: { ram: 16, tags: ['x'] } } });
  });

  it('parses nested $or / $and into a tree', () => {
    const where = parseWhere({ $or: [{ a: 1 }, { $and: [{ b: 2 }, { c: { $gt: 3 } }] }] });
    expect(where).toMatchObject({
      kind: 'or',
      children: [{ kind: 'field' }, { kind: 'and', children: [{ kind: 'field' }, { kind: 'field', condition: { op: 'gt', value: 3 } }] }],
    });
  });

  it('copies where values, so changing the input afterwards does not change the query', () => {
    const input = { tags: { $in: ['a'] } };
    const where = parseWhere(input);
    input.tags.$in.push('b');
    expect(where).toMatchObject({ condition: { values: ['a'] } });
  });

  it('keeps a "__proto__" field as data', () => {
    const where = parseWhere(JSON.parse('{"meta": {"__proto__": {"x": 1}}}'));
    expect(where.kind === 'field' && where.condition.op === 'eq' && Object.keys(where.condition.value as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseQuery errors', () => {
  it('rejects non-objects', () => {
    expectRejected(null, 'invalid-type', '', 'a query must be an object, got null');
    expectRejected([], 'invalid-type', '', 'got an array');
  });

  it('rejects unknown properties, including collection', () => {
    expectRejected({ limit: 5 }, 'unknown-property', 'limit', 'unknown property "limit"');
    expectRejected({ collection: 'x' }, 'unknown-property', 'collection', 'unknown property "collection"');
  });

  it('rejects unknown operators with the full path', () => {
    expectRejected({ where: { age: { $gtx: 5 } } }, 'unknown-operator', 'where.age.$gtx', 'unknown operator "$gtx"');
    expectRejected({ where: { $or: [{ a: { $regex: 'x' } }] } }, 'unknown-operator', 'where.$or[0].a.$regex', '"$regex"');
  });

  it('rejects field operators and unknown combinators at the clause level', () => {
    expectRejected({ where: { $gt: 5 } }, 'unknown-operator', 'where.$gt', 'field operators go inside a field');
    expectRejected({ where: { $nor: [] } }, 'unknown-operator', 'where.$nor', 'only $or and $and');
  });

  it('rejects operator objects that also hold plain fields', () => {
    expectRejected({ where: { a: { $gt: 1, b: 2 } } }, 'conflict', 'where.a.b', 'cannot also hold the plain field "b"');
  });

  it('rejects badly typed operator arguments', () => {
    expectRejected({ where: { a: { $gt: true } } }, 'invalid-type', 'where.a.$gt', 'takes a number or a string, got boolean true');
    expectRejected({ where: { a: { $lte: null } } }, 'invalid-type', 'where.a.$lte', 'got null');
    expectRejected({ where: { a: { $in: 'x' } } }, 'invalid-type', 'where.a.$in', 'expects an array of values');
    expectRejected({ where: { a: { $nin: {} } } }, 'invalid-type', 'where.a.$nin', 'expects an array of values');
    expectRejected({ where: { a: { $gt: Infinity } } }, 'invalid-value', 'where.a.$gt', 'not a JSON number');
    expectRejected({ where: { a: { $eq: NaN } } }, 'invalid-value', 'where.a.$eq', 'not a JSON number');
    expectRejected({ where: { a: new Date(0) } }, 'invalid-type', 'where.a', 'plain JSON objects');
    expectRejected({ where: { a: { $in: [1, undefined] } } }, 'invalid-type', 'where.a.$in[1]', 'undefined is not a JSON value');
  });

  it('rejects malformed $or / $and', () => {
    expectRejected({ where: { $or: {} } }, 'invalid-type', 'where.$or', 'expects an array of where clauses');
    expectRejected({ where: { $and: [] } }, 'invalid-value', 'where.$and', 'at least one');
    expectRejected({ where: { $or: [5] } }, 'invalid-type', 'where.$or[0]', 'must be an object, got number 5');
    expectRejected({ where: [] }, 'invalid-type', 'where', 'got an array');
  });

  it('rejects bad dot paths', () => {
    expectRejected({ where: { 'a..b': 1 } }, 'invalid-value', 'where.a..b', 'empty segment');
    expectRejected({ fields: ['ok', '.x'] }, 'invalid-value', 'fields[1]', 'empty segment');
    expectRejected({ fields: [3] }, 'invalid-type', 'fields[0]', 'must be a string, got number 3');
    expectRejected({ excludedFields: 'a' }, 'invalid-type', 'excludedFields', 'must be an array of field paths');
  });

  it('rejects fields together with excludedFields', () => {
    expectRejected({ fields: ['a'], excludedFields: ['b'] }, 'conflict', 'excludedFields', '"fields" and "excludedFields" cannot be used together');
  });

  it('rejects sort together with order, and bad sort specs', () => {
    expectRejected({ sort: [{ field: 'a', order: 'asc' }], order: 'asc' }, 'conflict', 'order', 'cannot be combined with "sort"');
    expectRejected({ sort: { field: 'a' } }, 'invalid-type', 'sort', 'must be an array');
    expectRejected({ sort: [] }, 'invalid-value', 'sort', 'at least one');
    expectRejected({ sort: [{ field: 'a', order: 'up' }] }, 'invalid-value', 'sort[0].order', 'must be "asc" or "desc", got the string "up"');
    expectRejected({ sort: [{ field: 'a', direction: 'asc' }] }, 'unknown-property', 'sort[0].direction', 'unknown property "direction"');
    expectRejected({ sort: [{ order: 'asc' }] }, 'invalid-type', 'sort[0].field', 'must be a string, got undefined');
    expectRejected({ order: 'newest' }, 'invalid-value', 'order', 'must be "asc" or "desc"');
  });

  it('rejects counts and offsets out of range', () => {
    expectRejected({ count: 1001 }, 'out-of-range', 'count', 'between 1 and 1000, got 1001');
    expectRejected({ count: 0 }, 'out-of-range', 'count', 'got 0');
    expectRejected({ count: 2.5 }, 'invalid-value', 'count', 'must be an integer');
    expectRejected({ count: '10' }, 'invalid-type', 'count', 'must be a number, got the string "10"');
    expectRejected({ offset: -1 }, 'out-of-range', 'offset', 'got -1');
    expect(parseQuery({ count: 1000, offset: 1_000_000 })).toMatchObject({ count: 1000, offset: 1_000_000 });
  });

  it('rejects bad keys and options that do not apply to key lookups', () => {
    expectRejected({ keys: 5 }, 'invalid-type', 'keys', 'must be a string or an array of strings');
    expectRejected({ keys: ['a', 2] }, 'invalid-type', 'keys[1]', 'a key must be a string');
    expectRejected({ keys: 'a', sort: [{ field: 'x' }] }, 'conflict', 'sort', 'does not apply to a "keys" lookup');
    expectRejected({ keys: ['a'], count: 5 }, 'conflict', 'count', 'does not apply');
  });

  it('rejects malformed joins', () => {
    expectRejected({ joins: {} }, 'invalid-type', 'joins', 'must be an array');
    expectRejected({ joins: [{ a: { from: 'x', on: 'y' }, b: { from: 'x', on: 'y' } }] }, 'invalid-value', 'joins[0]', 'exactly one alias key, got 2');
    expectRejected({ joins: [{}] }, 'invalid-value', 'joins[0]', 'got 0');
    expectRejected({ joins: [{ 'a.b': { from: 'x', on: 'y' } }] }, 'invalid-value', 'joins[0].a.b', 'not a usable alias');
    expectRejected({ joins: [{ _v: { from: 'x', on: 'y' } }] }, 'invalid-value', 'joins[0]._v', 'not a usable alias');
    expectRejected(
      { joins: [{ a: { from: 'x', on: 'y' } }, { a: { from: 'z', on: 'w' } }] },
      'conflict',
      'joins[1].a',
      'used by more than one join',
    );
    expectRejected({ joins: [{ a: { on: 'y' } }] }, 'invalid-type', 'joins[0].a.from', 'must be a collection name');
    expectRejected({ joins: [{ a: { from: 'x', on: 1 } }] }, 'invalid-type', 'joins[0].a.on', 'must be a string');
    expectRejected({ joins: [{ a: { from: 'x', on: 'y', as: 'z' } }] }, 'unknown-property', 'joins[0].a.as', 'unknown property "as"');
    expectRejected({ joins: [{ a: 'x' }] }, 'invalid-type', 'joins[0].a', 'a join spec must be an object');
  });

  it('refuses $and / $or nested past the limit (20,000 deep included) and a value nested past 256 levels with a QueryError, not a stack overflow', () => {
    let where: unknown = { a: 1 };
    for (let i = 0; i < 20_000; i++) where = { $and: [where] };
    const deep = errorOf(() => parseWhere(where));
    expect(deep.code).toBe('out-of-range');
    expect(deep.message).toContain(`$and and $or nest deeper than ${MAX_WHERE_DEPTH} levels`);
    expect(deep.path).toBe(`where${'.$and[0]'.repeat(MAX_WHERE_DEPTH)}.$and`);
    let allowed: unknown = { a: 1 };
    for (let i = 0; i < MAX_WHERE_DEPTH; i++) allowed = { $or: [allowed] };
    expect(() => parseWhere(allowed)).not.toThrow();

    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectRejected({ where: { a: { $eq: cyclic } } }, 'out-of-range', `where.a.$eq${'.self'.repeat(256)}`, 'the value nests deeper than 256 levels');
  });
});
