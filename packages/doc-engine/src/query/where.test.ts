import { describe, expect, it } from 'vitest';
import { parseWhere } from './parse-query.js';
import { matchesWhere } from './where.js';

const laptop = {
  _key: 'lp1',
  brand: 'Apple',
  model: 'MacBook Pro',
  price: 1999,
  in_stock: true,
  discontinued: null,
  tags: ['Laptop', 'pro', 7],
  specs: { cpu: { ghz: 3.2, cores: 8 }, ram: [16, 32] },
};

/** The keys of `docs` matching the where, so each expectation names who matched. */
function matching(where: unknown, docs: Record<string, unknown>[] = [laptop]): unknown[] {
  const parsed = parseWhere(where);
  return docs.filter((doc) => matchesWhere(doc, parsed)).map((doc) => doc._key);
}

const matches = (where: unknown, doc: Record<string, unknown> = laptop): boolean => matchesWhere(doc, parseWhere(where));

describe('equality', () => {
  it('matches plain values and $eq / $equals, case-sensitively', () => {
    expect(matches({ brand: 'Apple' })).toBe(true);
    expect(matches({ brand: 'apple' })).toBe(false);
    expect(matches({ brand: { $eq: 'Apple' } })).toBe(true);
    expect(matches({ brand: { $equals: 'APPLE' } })).toBe(false);
    expect(matches({ price: 1999, in_stock: true })).toBe(true);
    expect(matches({ price: '1999' })).toBe(false);
    expect(matches({ discontinued: null })).toBe(true);
  });

  it('compares arrays and objects structurally, ignoring key order', () => {
    expect(matches({ specs: { ram: [16, 32], cpu: { cores: 8, ghz: 3.2 } } })).toBe(true);
    expect(matches({ 'specs.ram': [16, 32] })).toBe(true);
    expect(matches({ 'specs.ram': [32, 16] })).toBe(false);
    expect(matches({ 'specs.cpu': { ghz: 3.2 } })).toBe(false);
    expect(matches({ tags: { $eq: ['Laptop', 'pro', 7] } })).toBe(true);
    // Equality is on the whole value, not membership: use $contains for that.
    expect(matches({ tags: 'pro' })).toBe(false);
  });

  it('$ne / $notEquals match different values and missing fields', () => {
    expect(matches({ brand: { $ne: 'Dell' } })).toBe(true);
    expect(matches({ brand: { $notEquals: 'Apple' } })).toBe(false);
    expect(matches({ brand: { $ne: 'apple' } })).toBe(true);
    expect(matches({ color: { $ne: 'red' } })).toBe(true);
    expect(matches({ 'specs.ram': { $ne: [16, 32] } })).toBe(false);
  });
});

describe('range operators', () => {
  const docs = [
    { _key: 'n1', v: 1 },
    { _key: 'n5', v: 5 },
    { _key: 'n10', v: 10 },
    { _key: 'sA', v: 'A' },
    { _key: 'sa', v: 'a' },
    { _key: 'sb', v: 'b' },
    { _key: 'bool', v: true },
    { _key: 'null', v: null },
    { _key: 'arr', v: [5] },
    { _key: 'none' },
  ];

  it('compares numbers numerically (aliases included)', () => {
    expect(matching({ v: { $gt: 1 } }, docs)).toEqual(['n5', 'n10']);
    expect(matching({ v: { $greaterThan: 5 } }, docs)).toEqual(['n10']);
    expect(matching({ v: { $gte: 5 } }, docs)).toEqual(['n5', 'n10']);
    expect(matching({ v: { $lt: 10 } }, docs)).toEqual(['n1', 'n5']);
    expect(matching({ v: { $lessThan: 5 } }, docs)).toEqual(['n1']);
    expect(matching({ v: { $lte: 5 } }, docs)).toEqual(['n1', 'n5']);
  });

  it('compares strings by code unit (uppercase before lowercase), never matching numbers', () => {
    expect(matching({ v: { $gt: 'A' } }, docs)).toEqual(['sa', 'sb']);
    expect(matching({ v: { $lt: 'a' } }, docs)).toEqual(['sA']);
    expect(matching({ v: { $gte: '' } }, docs)).toEqual(['sA', 'sa', 'sb']);
    expect(matching({ v: { $lte: '9' } }, docs)).toEqual([]);
  });

  it('ANDs several operators on one field; mixed-type bounds match nothing', () => {
    expect(matching({ v: { $gt: 1, $lt: 10 } }, docs)).toEqual(['n5']);
    expect(matching({ v: { $gte: 1, $lte: 'z' } }, docs)).toEqual([]);
  });
});

describe('$in / $nin', () => {
  it('matches list members, strings case-insensitively (aliases included)', () => {
    expect(matches({ brand: { $in: ['apple', 'Dell'] } })).toBe(true);
    expect(matches({ brand: { $oneOf: ['Dell'] } })).toBe(false);
    expect(matches({ price: { $in: [1999] } })).toBe(true);
    expect(matches({ price: { $in: ['1999'] } })).toBe(false);
    expect(matches({ discontinued: { $in: [null] } })).toBe(true);
    expect(matches({ 'specs.ram': { $in: [[16, 32]] } })).toBe(true);
    expect(matches({ brand: { $in: [] } })).toBe(false);
  });

  it('$nin / $notIn exclude members case-insensitively and match missing fields', () => {
    expect(matches({ brand: { $nin: ['APPLE'] } })).toBe(false);
    expect(matches({ brand: { $notIn: ['Dell'] } })).toBe(true);
    expect(matches({ color: { $nin: ['red'] } })).toBe(true);
    expect(matches({ brand: { $nin: [] } })).toBe(true);
  });

  it('does not fold case for $eq but does for $in, on the same data', () => {
    const docs = [
      { _key: 'upper', name: 'ALICE' },
      { _key: 'lower', name: 'alice' },
    ];
    expect(matching({ name: 'alice' }, docs)).toEqual(['lower']);
    expect(matching({ name: { $in: ['alice'] } }, docs)).toEqual(['upper', 'lower']);
  });
});

describe('$contains / $ct', () => {
  it('finds substrings case-insensitively', () => {
    expect(matches({ model: { $contains: 'book' } })).toBe(true);
    expect(matches({ model: { $ct: 'PRO' } })).toBe(true);
    expect(matches({ model: { $contains: 'air' } })).toBe(false);
    expect(matches({ model: { $contains: 5 } })).toBe(false);
  });

  it('checks array membership (strings case-insensitively)', () => {
    expect(matches({ tags: { $contains: 'laptop' } })).toBe(true);
    expect(matches({ tags: { $contains: 7 } })).toBe(true);
    expect(matches({ tags: { $contains: 'lap' } })).toBe(false);
    expect(matches({ 'specs.ram': { $ct: 32 } })).toBe(true);
  });

  it('never matches numbers, objects or missing fields', () => {
    expect(matches({ price: { $contains: 1999 } })).toBe(false);
    expect(matches({ specs: { $contains: 'cpu' } })).toBe(false);
    expect(matches({ color: { $contains: '' } })).toBe(false);
  });
});

describe('missing fields', () => {
  it('match only $ne and $nin', () => {
    const doc = { _key: 'empty' };
    const results = {
      eq: matches({ x: 1 }, doc),
      eqNull: matches({ x: null }, doc),
      gt: matches({ x: { $gt: 0 } }, doc),
      lte: matches({ x: { $lte: 'z' } }, doc),
      in: matches({ x: { $in: [null] } }, doc),
      contains: matches({ x: { $contains: 'a' } }, doc),
      ne: matches({ x: { $ne: 1 } }, doc),
      nin: matches({ x: { $nin: [1] } }, doc),
    };
    expect(results).toEqual({ eq: false, eqNull: false, gt: false, lte: false, in: false, contains: false, ne: true, nin: true });
  });

  it('treats paths through non-objects, arrays and inherited properties as missing', () => {
    expect(matches({ 'price.amount': { $ne: 1 } })).toBe(true);
    expect(matches({ 'price.amount': { $gte: 0 } })).toBe(false);
    expect(matches({ 'tags.0': 'Laptop' })).toBe(false);
    expect(matches({ constructor: { $ne: 'x' } }, {})).toBe(true);
    expect(matches({ 'toString.name': 'toString' }, {})).toBe(false);
    expect(matches(JSON.parse('{"__proto__": {"$eq": {}}}'), {})).toBe(false);
    expect(matches(JSON.parse('{"__proto__": {"$eq": {"a": 1}}}'), JSON.parse('{"__proto__": {"a": 1}}') as Record<string, unknown>)).toBe(true);
    expect(matches({ a: { $ne: 1 } }, { a: undefined })).toBe(true);
  });

  it('reads deep dot paths', () => {
    expect(matches({ 'specs.cpu.ghz': { $gt: 3 } })).toBe(true);
    expect(matches({ 'specs.cpu.ghz': 3.2, 'specs.cpu.cores': 4 })).toBe(false);
  });
});

describe('combinators', () => {
  const docs = [
    { _key: 'a', brand: 'Apple', price: 2500 },
    { _key: 'b', brand: 'Apple', price: 900 },
    { _key: 'c', brand: 'Dell', price: 800 },
    { _key: 'd', brand: 'Dell', price: 1500 },
  ];

  it('ANDs top-level conditions and $and branches', () => {
    expect(matching({ brand: 'Apple', price: { $lt: 1000 } }, docs)).toEqual(['b']);
    expect(matching({ $and: [{ brand: 'Dell' }, { price: { $gt: 1000 } }] }, docs)).toEqual(['d']);
  });

  it('ORs $or branches and nests them', () => {
    expect(matching({ $or: [{ brand: 'Apple' }, { price: { $lt: 1000 } }] }, docs)).toEqual(['a', 'b', 'c']);
    expect(
      matching(
        {
          $or: [{ $and: [{ brand: 'Apple' }, { price: { $gt: 2000 } }] }, { $and: [{ brand: 'Dell' }, { $or: [{ price: 800 }, { price: 1 }] }] }],
        },
        docs,
      ),
    ).toEqual(['a', 'c']);
    expect(matching({ brand: 'Dell', $or: [{ price: 1500 }, { price: 2500 }] }, docs)).toEqual(['d']);
  });

  it('an empty where matches everything', () => {
    expect(matching({}, docs)).toEqual(['a', 'b', 'c', 'd']);
  });
});
