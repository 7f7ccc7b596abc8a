import { describe, expect, it } from 'vitest';
import { QueryError } from './errors.js';
import { executeFind, oldestKeys, planFind, selectForDelete } from './execute.js';
import { parseQuery, parseWhere } from './parse-query.js';
import { MemorySource } from './test-support/memory-source.js';
import { referenceFind } from './test-support/reference.js';
import type { ResultDoc, StoredDoc } from './types.js';

const NOW = 1_000_000;

function stored(key: string, seq: number, fields: Record<string, unknown> = {}): StoredDoc {
  return { _key: key, _v: 1, _seq: seq, _createdAt: seq * 10, _modifiedAt: seq * 10, ...fields };
}

const laptops = [
  stored('lp1', 1, { brand: 'Lenovo', price: 1499, memory_id: 'm1', display_id: 'd1' }),
  stored('lp2', 2, { brand: 'Apple', price: 2499, memory_id: 'm2', display_id: 'd2' }),
  stored('lp3', 3, { brand: 'Dell', price: 999, memory_id: 'm1' }),
  stored('lp4', 4, { brand: 'Apple', price: 1299, memory_id: 'gone', _expiresAt: NOW }),
  stored('lp5', 5, { brand: 'HP', price: 799, memory_id: 'm3', _expiresAt: NOW + 1 }),
  stored('lp6', 6, { brand: 'apple', memory_id: 7 }),
];
const memory = [
  stored('m1', 1, { capacity_gb: 16, type: 'DDR5' }),
  stored('m2', 2, { capacity_gb: 32, type: 'LPDDR5' }),
  stored('m3', 3, { capacity_gb: 8, type: 'DDR4', _expiresAt: NOW - 1 }),
];
const display = [stored('d1', 1, { size_inch: 14 }), stored('d2', 2, { size_inch: 16 })];

function source(): MemorySource {
  return new MemorySource({ laptops, memory, display });
}

function find(body: unknown, from: MemorySource = source()): unknown {
  return executeFind(from, 'laptops', parseQuery(body), NOW);
}

function keysOf(result: unknown): string[] {
  return (result as ResultDoc[]).map((doc) => doc._key);
}

describe('executeFind: key lookups', () => {
  it('returns the document itself for a single key', () => {
    expect(find({ keys: 'lp2' })).toStrictEqual({ _key: 'lp2', _v: 1, brand: 'Apple', price: 2499, memory_id: 'm2', display_id: 'd2' });
  });

  it('returns undefined for a missing, expired or non-matching key', () => {
    expect(find({ keys: 'nope' })).toBeUndefined();
    expect(find({ keys: 'lp4' })).toBeUndefined();
    expect(find({ keys: 'lp1', where: { brand: 'Dell' } })).toBeUndefined();
  });

  it('returns an array in the requested order, once per key, skipping the missing', () => {
    expect(keysOf(find({ keys: ['lp3', 'nope', 'lp1', 'lp3', 'lp5'] }))).toEqual(['lp3', 'lp1', 'lp5']);
    expect(keysOf(find({ keys: ['lp1', 'lp2', 'lp3'], where: { price: { $gt: 1000 } }, fields: ['price'] }))).toEqual(['lp1', 'lp2']);
    expect(find({ keys: [] })).toEqual([]);
  });
});

describe('executeFind: order, count, offset, expiry', () => {
  it('returns newest first by default and oldest first with order asc, skipping expired documents', () => {
    expect(keysOf(find({}))).toEqual(['lp6', 'lp5', 'lp3', 'lp2', 'lp1']);
    expect(keysOf(find({ order: 'asc' }))).toEqual(['lp1', 'lp2', 'lp3', 'lp5', 'lp6']);
  });

  it('treats _expiresAt equal to now as expired', () => {
    expect(executeFind(source(), 'laptops', parseQuery({ keys: 'lp5' }), NOW + 1)).toBeUndefined();
    expect(executeFind(source(), 'laptops', parseQuery({ keys: 'lp4' }), NOW - 1)).toMatchObject({ _key: 'lp4' });
  });

  it('applies count and offset after filtering and sorting', () => {
    const sort = [{ field: 'price', order: 'asc' }];
    expect(keysOf(find({ sort, count: 2 }))).toEqual(['lp5', 'lp3']);
    expect(keysOf(find({ sort, count: 2, offset: 2 }))).toEqual(['lp1', 'lp2']);
    expect(keysOf(find({ sort, count: 2, offset: 4 }))).toEqual(['lp6']);
    expect(keysOf(find({ sort, offset: 50 }))).toEqual([]);
  });

  it('returns an empty array for an unknown collection', () => {
    expect(executeFind(source(), 'nothing', parseQuery({}), NOW)).toEqual([]);
  });

  it('pages deep into a large collection identically with and without indexes', () => {
    const docs = Array.from({ length: 3000 }, (_, i) => stored(`k${i}`, i + 1, { score: (i * 37) % 500, group: i % 3 }));
    const plain = new MemorySource({ big: docs });
    const indexed = new MemorySource({ big: docs });
    indexed.addIndex('big', 'score');
    indexed.addIndex('big', 'group');
    indexed.addIndex('big', '_seq');
    const bodies = [
      { sort: [{ field: 'score', order: 'desc' }], offset: 2500, count: 100 },
      { where: { group: 1 }, sort: [{ field: 'score', order: 'asc' }], offset: 900, count: 50 },
      { where: { group: 2 }, offset: 990, count: 20 },
      { order: 'asc', offset: 2990, count: 20 },
    ];
    for (const body of bodies) {
      const query = parseQuery(body);
      const expected = executeFind(plain, 'big', query, NOW) as ResultDoc[];
      expect(executeFind(indexed, 'big', query, NOW)).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
      expect(planFind(indexed, 'big', query).kind).not.toBe('scan');
    }
    const page = executeFind(plain, 'big', parseQuery(bodies[0]), NOW) as ResultDoc[];
    expect(page.map((doc) => doc.score)).toEqual(
      docs
        .map((doc) => doc.score as number)
        .sort((a, b) => b - a)
        .slice(2500, 2600),
    );
  });
});

describe('executeFind: joins', () => {
  const join = { ram: { from: 'memory', on: 'memory_id', fields: ['capacity_gb'] } };

  it('embeds the projected joined document under the alias, whatever the base projection', () => {
    expect(find({ keys: 'lp1', fields: ['brand'], joins: [join, { screen: { from: 'display', on: 'display_id' } }] })).toStrictEqual({
      _key: 'lp1',
      _v: 1,
      brand: 'Lenovo',
      ram: { _key: 'm1', _v: 1, capacity_gb: 16 },
      screen: { _key: 'd1', _v: 1, size_inch: 14 },
    });
  });

  it('sets the alias to null when the reference is missing, not a string, or expired', () => {
    const result = find({ keys: ['lp3', 'lp5', 'lp6'], fields: ['memory_id'], joins: [join] }) as ResultDoc[];
    expect(result.map((doc) => doc.ram)).toEqual([{ _key: 'm1', _v: 1, capacity_gb: 16 }, null, null]);
  });

  it('filters and sorts on joined fields (the full joined document, not just its projection)', () => {
    const body = {
      where: { 'ram.type': { $contains: 'ddr5' } },
      sort: [
        { field: 'ram.capacity_gb', order: 'desc' },
        { field: 'price', order: 'asc' },
      ],
      fields: ['price'],
      joins: [join],
    };
    expect(find(body)).toStrictEqual([
      { _key: 'lp2', _v: 1, price: 2499, ram: { _key: 'm2', _v: 1, capacity_gb: 32 } },
      { _key: 'lp3', _v: 1, price: 999, ram: { _key: 'm1', _v: 1, capacity_gb: 16 } },
      { _key: 'lp1', _v: 1, price: 1499, ram: { _key: 'm1', _v: 1, capacity_gb: 16 } },
    ]);
    expect(keysOf(find({ where: { ram: null }, joins: [join] }))).toEqual(['lp6', 'lp5']);
  });

  it('lets the alias shadow a base field of the same name, and does not use that field\'s index', () => {
    const docs = [stored('a', 1, { ref: 'm2', ram: { capacity_gb: 32 } }), stored('b', 2, { ref: 'm1', ram: { capacity_gb: 99 } })];
    const from = new MemorySource({ items: docs, memory });
    from.addIndex('items', 'ram.capacity_gb');
    const query = parseQuery({ where: { 'ram.capacity_gb': 16 }, joins: [{ ram: { from: 'memory', on: 'ref' } }] });
    expect(planFind(from, 'items', query).kind).toBe('scan');
    expect(keysOf(executeFind(from, 'items', query, NOW))).toEqual(['b']);
    const withoutJoin = parseQuery({ where: { 'ram.capacity_gb': 99 } });
    expect(planFind(from, 'items', withoutJoin).kind).toBe('index-lookup');
    expect(keysOf(executeFind(from, 'items', withoutJoin, NOW))).toEqual(['b']);
  });
});

describe('planFind and index use', () => {
  function indexed(): MemorySource {
    const from = source();
    from.addIndex('laptops', 'brand');
    from.addIndex('laptops', 'price');
    return from;
  }

  function plan(body: unknown, from: MemorySource = indexed()): string {
    const result = planFind(from, 'laptops', parseQuery(body));
    if (result.kind === 'index-lookup') return `${result.access.description} ~${result.access.estimate}`;
    if (result.kind === 'index-order') return `order ${result.index.field.path} ${result.order}`;
    return result.kind;
  }

  it('uses an index for equality, $in and merged ranges, preferring the most selective', () => {
    expect(plan({ where: { brand: 'Apple' } })).toBe('index brand $eq ~2');
    expect(plan({ where: { brand: { $in: ['apple'] } } })).toBe('index brand $in ~3');
    expect(plan({ where: { price: { $gt: 1000 }, $and: [{ price: { $lt: 2000 } }, { price: { $gt: 1300 } }] } })).toBe('index price $gt $lt ~1');
    expect(plan({ where: { brand: 'Apple', price: 2499 } })).toBe('index price $eq ~1');
    expect(plan({ where: { price: { $gt: 5 }, brand: { $in: ['x'] } } })).toBe('index brand $in ~0');
  });

  it('answers contradictory ranges without touching documents', () => {
    const from = indexed();
    expect(plan({ where: { price: { $gt: 5, $lt: 'z' } } }, from)).toBe('index price $gt $lt ~0');
    expect(find({ where: { price: { $gt: 5, $lt: 'z' } } }, from)).toEqual([]);
    const sameOperator = { price: { $gt: 5 }, $and: [{ price: { $gt: 'a' } }] };
    expect(plan({ where: sameOperator }, from)).toBe('contradictory ranges ~0');
    expect(find({ where: sameOperator }, from)).toEqual([]);
    expect([from.scans, from.gets]).toEqual([0, 0]);
  });

  it('uses $or only when every branch can use an index', () => {
    expect(plan({ where: { $or: [{ brand: 'Dell' }, { price: { $lt: 900 } }] } })).toBe('$or of (index brand $eq, index price $lt) ~2');
    expect(plan({ where: { $or: [{ brand: 'Dell' }, { memory_id: 'm1' }] } })).toBe('scan');
  });

  it('looks documents up directly for _key equality', () => {
    const from = indexed();
    expect(plan({ where: { _key: 'lp3', price: { $gt: 1 } } }, from)).toBe('key lookup ~1');
    expect(keysOf(find({ where: { _key: 'lp3' } }, from))).toEqual(['lp3']);
    expect(from.scans).toBe(0);
  });

  it('walks the sort field index when no filter is more selective', () => {
    expect(plan({ sort: [{ field: 'price', order: 'desc' }], count: 1 })).toBe('order price desc');
    expect(plan({ where: { memory_id: 'm1' }, sort: [{ field: 'price', order: 'asc' }] })).toBe('order price asc');
    expect(plan({ where: { brand: 'Dell' }, sort: [{ field: 'price', order: 'asc' }], count: 5 })).toBe('index brand $eq ~1');
    expect(plan({ sort: [{ field: 'memory_id', order: 'asc' }] })).toBe('scan');
  });

  it('returns the same documents through the index walk, filter included', () => {
    const from = indexed();
    const body = { where: { brand: { $ne: 'Dell' } }, sort: [{ field: 'price', order: 'desc' }], count: 3 };
    expect(keysOf(find(body, from))).toEqual(['lp2', 'lp1', 'lp5']);
    expect(from.scans).toBe(0);
    expect(keysOf(find(body))).toEqual(['lp2', 'lp1', 'lp5']);
  });

  it('reports key lookups as such', () => {
    expect(plan({ keys: ['a'] })).toBe('keys');
  });
});

describe('selectForDelete and oldestKeys', () => {
  const events = Array.from({ length: 12 }, (_, i) => stored(`e${i}`, 100 + i, { kind: i % 2 === 0 ? 'even' : 'odd', ...(i === 2 ? { _expiresAt: 5 } : {}) }));

  it('selects matching documents oldest first by default, newest first with desc, limited to count', () => {
    const from = new MemorySource({ events });
    expect(selectForDelete(from, 'events', parseWhere({ kind: 'even' }), { count: 3 })).toEqual(['e0', 'e2', 'e4']);
    expect(selectForDelete(from, 'events', parseWhere({ kind: 'even' }), { count: 2, order: 'desc' })).toEqual(['e10', 'e8']);
    expect(selectForDelete(from, 'events', parseWhere({}))).toHaveLength(12);
  });

  it('leaves out expired documents when given the time', () => {
    const from = new MemorySource({ events });
    expect(selectForDelete(from, 'events', parseWhere({ kind: 'even' }), { count: 3, now: 10 })).toEqual(['e0', 'e4', 'e6']);
  });

  it('gives the same selection through an index', () => {
    const from = new MemorySource({ events });
    from.addIndex('events', 'kind');
    expect(selectForDelete(from, 'events', parseWhere({ kind: 'odd' }), { count: 4, order: 'desc' })).toEqual(['e11', 'e9', 'e7', 'e5']);
    expect(from.scans).toBe(0);
  });

  it('rejects a count outside 1..1000', () => {
    const from = new MemorySource({ events });
    for (const count of [0, 1001, 1.5]) {
      const attempt = (): unknown => selectForDelete(from, 'events', parseWhere({}), { count });
      expect(attempt).toThrow(QueryError);
      expect(attempt).toThrow('count');
    }
  });

  it('oldestKeys returns the n lowest _seq keys, expired ones included', () => {
    const shuffled = [...events].reverse();
    const from = new MemorySource({ events: shuffled });
    expect(oldestKeys(from, 'events', 3)).toEqual(['e0', 'e1', 'e2']);
    expect(oldestKeys(from, 'events', 0)).toEqual([]);
    expect(oldestKeys(from, 'events', 50)).toHaveLength(12);
    from.addIndex('events', '_seq');
    expect(oldestKeys(from, 'events', 3)).toEqual(['e0', 'e1', 'e2']);
    expect(() => oldestKeys(from, 'events', -1)).toThrow(QueryError);
  });
});

describe('sorted ranges read about offset + count documents, not every match', () => {
  // 10,000 documents over 50 values of `v` (200 ties each); every 7th expired, every 3rd with w = 1.
  const many = Array.from({ length: 10_000 }, (_, i) =>
    stored(`d${i}`, i + 1, { v: i % 50, w: i % 3 === 0 ? 1 : 0, ...(i % 7 === 0 ? { _expiresAt: NOW } : {}) }),
  );
  const indexed = (): MemorySource => {
    const source = new MemorySource({ many });
    source.addIndex('many', 'v');
    return source;
  };
  const check = (body: Parameters<typeof parseQuery>[0]): MemorySource => {
    const source = indexed();
    const query = parseQuery(body);
    expect(executeFind(source, 'many', query, NOW)).toStrictEqual(referenceFind({ many }, 'many', query, NOW));
    return source;
  };

  it('walks the index from the range bound, asc and desc, stopping inside the first group of ties', () => {
    const asc = { where: { v: { $gt: 10, $lte: 40 } }, sort: [{ field: 'v', order: 'asc' as const }], offset: 5, count: 10 };
    const plan = planFind(indexed(), 'many', parseQuery(asc));
    expect(plan.kind === 'index-order' ? plan.bounds : undefined).toEqual({ gt: 10, lte: 40 });
    // 15 live documents of v = 11, plus the expired ones among them (one in 7).
    expect(check(asc).gets).toBeLessThanOrEqual(20);
    expect(check({ ...asc, sort: [{ field: 'v', order: 'desc' }] }).gets).toBeLessThanOrEqual(20);
  });

  it('crosses groups when the offset reaches past one, and filters on other fields while walking', () => {
    expect(check({ where: { v: { $gte: 48 } }, sort: [{ field: 'v', order: 'asc' }], offset: 190, count: 30 }).gets).toBeLessThanOrEqual(260);
    // One document in three has w = 1: about 3 reads per result.
    expect(check({ where: { v: { $lt: 3 }, w: 1 }, sort: [{ field: 'v', order: 'desc' }], count: 10 }).gets).toBeLessThanOrEqual(45);
  });

  it('treats equality on the sort field as a one-value range, and reads equality matches in _seq order', () => {
    expect(check({ where: { v: 7 }, sort: [{ field: 'v', order: 'desc' }], count: 10 }).gets).toBeLessThanOrEqual(13);
    expect(check({ where: { v: 7 }, order: 'desc', count: 10 }).gets).toBeLessThanOrEqual(13);
    expect(check({ where: { v: 7 }, order: 'asc', offset: 3, count: 10 }).gets).toBeLessThanOrEqual(16);
  });

  it('keeps a heap of offset + count for a range sorted by another field, without a scan', () => {
    const source = check({ where: { v: { $gte: 10, $lt: 12 } }, sort: [{ field: 'w', order: 'desc' }], offset: 2, count: 5 });
    expect([source.scans, source.gets]).toEqual([0, 400]);
  });
});
