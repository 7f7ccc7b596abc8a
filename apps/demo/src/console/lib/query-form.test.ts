import { describe, expect, it } from 'vitest';
import { buildQuery, resultRows } from './query-form.js';

const blank = { collection: 'laptops', where: '', sort: '', fields: '', joins: '', count: '', offset: '' };

describe('buildQuery', () => {
  it('leaves blank fields out', () => {
    expect(buildQuery(blank)).toEqual({ ok: true, body: { collection: 'laptops' } });
  });

  it('parses every field', () => {
    const built = buildQuery({
      collection: ' laptops ',
      where: '{"price": {"$gt": 1000}}',
      sort: '[{"field": "price", "order": "desc"}]',
      fields: 'brand, model ,, price',
      joins: '[{"ram": {"from": "memory", "on": "memory_id"}}]',
      count: '5',
      offset: '10',
    });
    expect(built).toEqual({
      ok: true,
      body: {
        collection: 'laptops',
        where: { price: { $gt: 1000 } },
        sort: [{ field: 'price', order: 'desc' }],
        fields: ['brand', 'model', 'price'],
        joins: [{ ram: { from: 'memory', on: 'memory_id' } }],
        count: 5,
        offset: 10,
      },
    });
  });

  it.each([
    [{ collection: '' }, 'Collection'],
    [{ where: '{bad' }, 'Where: Invalid JSON'],
    [{ joins: '[' }, 'Joins: Invalid JSON'],
    [{ count: '-1' }, 'Count: a whole number'],
    [{ offset: '1.5' }, 'Offset: a whole number'],
  ])('names the field at fault: %o', (change, message) => {
    const built = buildQuery({ ...blank, ...change });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.error).toContain(message);
  });
});

describe('resultRows', () => {
  it('takes arrays as they are and a single document as one row', () => {
    expect(resultRows([{ _key: 'a' }, { _key: 'b' }])).toHaveLength(2);
    expect(resultRows({ _key: 'a', brand: 'Dell' })).toEqual([{ _key: 'a', brand: 'Dell' }]);
    expect(resultRows(null)).toEqual([]);
  });
});
