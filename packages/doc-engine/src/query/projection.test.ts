import { describe, expect, it } from 'vitest';
import { parseQuery } from './parse-query.js';
import { project } from './projection.js';
import type { StoredDoc } from './types.js';

const stored: StoredDoc = {
  _key: 'lp1',
  _v: 3,
  _seq: 17,
  _createdAt: 1000,
  _modifiedAt: 2000,
  _expiresAt: 9000,
  brand: 'Lenovo',
  price: 1499,
  specs: { cpu: { ghz: 3.1, cores: 8 }, weight_kg: 1.1 },
  tags: ['a'],
};

function shape(body: Record<string, unknown>, doc: StoredDoc = stored): unknown {
  return project(doc, parseQuery(body).projection);
}

describe('project', () => {
  it('without fields returns the document minus the opt-in system fields', () => {
    expect(shape({})).toStrictEqual({
      _key: 'lp1',
      _v: 3,
      brand: 'Lenovo',
      price: 1499,
      specs: { cpu: { ghz: 3.1, cores: 8 }, weight_kg: 1.1 },
      tags: ['a'],
    });
  });

  it('with fields returns _key, _v and the listed paths nested back', () => {
    expect(shape({ fields: ['brand', 'specs.cpu.ghz', 'specs.weight_kg', 'nothing', 'price.x'] })).toStrictEqual({
      _key: 'lp1',
      _v: 3,
      brand: 'Lenovo',
      specs: { cpu: { ghz: 3.1 }, weight_kg: 1.1 },
    });
  });

  it('returns system fields only when listed, and _key/_v always', () => {
    expect(shape({ fields: ['_seq', '_createdAt', '_modifiedAt', '_expiresAt'] })).toStrictEqual({
      _key: 'lp1',
      _v: 3,
      _seq: 17,
      _createdAt: 1000,
      _modifiedAt: 2000,
      _expiresAt: 9000,
    });
    expect(shape({ fields: [] })).toStrictEqual({ _key: 'lp1', _v: 3 });
    expect(shape({ fields: ['constructor', '__proto__', 'toString.name'] })).toStrictEqual({ _key: 'lp1', _v: 3 });
    expect(shape({ excludedFields: ['_key', '_v', 'brand'] })).toMatchObject({ _key: 'lp1', _v: 3 });
  });

  it('lets a whole subtree win over a path inside it, in either order', () => {
    const whole = { _key: 'lp1', _v: 3, specs: stored.specs };
    expect(shape({ fields: ['specs', 'specs.cpu.ghz'] })).toStrictEqual(whole);
    expect(shape({ fields: ['specs.cpu.ghz', 'specs'] })).toStrictEqual(whole);
  });

  it('removes excluded paths, nested ones included, without touching the stored document', () => {
    const before = structuredClone(stored);
    expect(shape({ excludedFields: ['price', 'specs.cpu.cores', 'tags.0', 'missing.path'] })).toStrictEqual({
      _key: 'lp1',
      _v: 3,
      brand: 'Lenovo',
      specs: { cpu: { ghz: 3.1 }, weight_kg: 1.1 },
      tags: ['a'],
    });
    expect(stored).toStrictEqual(before);
  });

  it('does not write through to the stored document when fields overlap', () => {
    const before = structuredClone(stored);
    const result = shape({ fields: ['specs', 'specs.extra'] }) as { specs: unknown };
    expect(result.specs).toStrictEqual(before.specs);
    expect(stored).toStrictEqual(before);
  });

  it('keeps a "__proto__" field as data', () => {
    const doc = JSON.parse('{"_key":"x","_v":1,"_seq":1,"_createdAt":0,"_modifiedAt":0,"__proto__":{"polluted":true}}') as StoredDoc;
    const picked = shape({ fields: ['__proto__.polluted'] }, doc) as Record<string, unknown>;
    expect(Object.getPrototypeOf(picked)).toBe(Object.prototype);
    expect(Object.keys(picked)).toEqual(['_key', '_v', '__proto__']);
    const all = shape({}, doc) as Record<string, unknown>;
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
    expect(Object.keys(all)).toContain('__proto__');
  });
});
