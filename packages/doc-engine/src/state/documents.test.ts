import { describe, expect, it } from 'vitest';
import { checkCollectionName, checkInput, checkKey, makeStoredDoc, mergeFields, readView, SYSTEM_FIELDS } from './documents.js';
import { InvalidCollectionNameError, InvalidDocumentError, InvalidDocumentKeyError, ReservedFieldError } from '../errors.js';
import type { StoredDoc } from '../query/types.js';

describe('document input checks', () => {
  it('copies the fields and freezes their nested values, so later changes to the input do not reach the engine', () => {
    const input = { name: 'a', tags: ['x'], nested: { deep: { n: 1 } } };
    const { fields, expectedVersion } = checkInput('c', 'k', input);
    input.tags.push('y');
    input.nested.deep.n = 2;
    expect(fields).toEqual({ name: 'a', tags: ['x'], nested: { deep: { n: 1 } } });
    expect(expectedVersion).toBeUndefined();
    expect(Object.isFrozen(fields.tags)).toBe(true);
    expect(Object.isFrozen((fields.nested as { deep: object }).deep)).toBe(true);
  });

  it('takes _v as the version guard and _key only when it names the same key', () => {
    expect(checkInput('c', 'k', { a: 1, _v: 3 })).toEqual({ fields: { a: 1 }, expectedVersion: 3 });
    expect(checkInput('c', 'k', { a: 1, _key: 'k' }).fields).toEqual({ a: 1 });
    expect(() => checkInput('c', 'k', { _key: 'other' })).toThrow(ReservedFieldError);
    expect(() => checkInput('c', 'k', { _v: -1 })).toThrow(/_v must be a non-negative integer/);
    expect(() => checkInput('c', 'k', { _v: 1.5 })).toThrow(InvalidDocumentError);
  });

  it('refuses engine field names with a ReservedFieldError naming the field', () => {
    for (const field of ['_seq', '_createdAt', '_modifiedAt', '_private', '_']) {
      const error = catchError(() => checkInput('users', 'u1', { ok: 1, [field]: 1 }));
      expect(error).toBeInstanceOf(ReservedFieldError);
      expect((error as ReservedFieldError).field).toBe(field);
      expect((error as Error).message).toContain(`"${field}"`);
      expect((error as Error).message).toContain('collection "users", key "u1"');
    }
    // Only top-level names belong to the engine.
    expect(checkInput('c', 'k', { nested: { _private: 1 } }).fields).toEqual({ nested: { _private: 1 } });
  });

  it.each([
    ['an array', [1, 2], 'the document must be a plain JSON object, got an array'],
    ['null', null, 'got null'],
    ['a string', 'doc', 'got a string'],
    ['a Date', new Date(0), 'got a Date'],
    ['a Map', new Map(), 'got a Map'],
  ])('refuses %s as a document', (_, input, message) => {
    expect(() => checkInput('c', 'k', input)).toThrow(message);
  });

  it('refuses a class instance as a document, naming the class', () => {
    class Point {
      x = 1;
    }
    expect(() => checkInput('c', 'k', new Point())).toThrow('got a Point');
  });

  it.each([
    ['undefined', { a: { b: undefined } }, 'field a.b is undefined'],
    ['NaN', { a: [1, NaN] }, 'field a[1] is NaN'],
    ['Infinity', { a: Infinity }, 'field a is Infinity'],
    ['a function', { f: () => 1 }, 'field f is a function'],
    ['a bigint', { n: 1n }, 'field n is a bigint'],
    ['a symbol', { s: Symbol('s') }, 'field s is a symbol'],
    ['a Date inside', { when: new Date(0) }, 'field when is a Date, not a plain JSON object'],
    ['a hole', { list: sparse() }, 'field list[1] is a hole in a sparse array'],
  ])('refuses %s inside a document, naming the path', (_, input, message) => {
    expect(() => checkInput('c', 'k', input)).toThrow(message);
  });

  it('refuses a cyclic document instead of looping', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => checkInput('c', 'k', cyclic)).toThrow(/nests deeper than 256 levels/);
  });

  it('names a cycle where it closes, once, instead of repeating the path 256 times', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const error = catchError(() => checkInput('c', 'k', cyclic));
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as InvalidDocumentError).path).toBe('self');
    expect((error as Error).message).toBe(
      'collection "c", key "k": field self refers back to an object that contains it: a cycle, which nests deeper than 256 levels',
    );
    const inner: Record<string, unknown> = {};
    inner.loop = [inner];
    expect((catchError(() => checkInput('c', 'k', { a: inner })) as InvalidDocumentError).path).toBe('a.loop[0]');
  });

  it.each([
    ['a Map', { m: new Map([['a', 1]]) }, 'field m is a Map, not a plain JSON object'],
    ['a Set', { s: new Set([1]) }, 'field s is a Set, not a plain JSON object'],
    ['a Uint8Array', { b: [Uint8Array.of(1)] }, 'field b[0] is a Uint8Array, not a plain JSON object'],
  ])('refuses %s inside a document (the check payload-store uses for its values)', (_, input, message) => {
    expect(() => checkInput('c', 'k', input)).toThrow(message);
  });

  it('refuses a document nested deeper than 256 levels without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const error = catchError(() => checkInput('c', 'k', { deep }));
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as Error).message).toMatch(/^collection "c", key "k": field deep(\.d){256} nests deeper than 256 levels$/);
  });

  it('stores -0 as 0, as a reopen reads it back', () => {
    const { fields } = checkInput('c', 'k', { n: -0, list: [-0], nested: { z: -0 } });
    expect(Object.is(fields.n, 0)).toBe(true);
    expect(Object.is((fields.list as number[])[0], 0)).toBe(true);
    expect(Object.is((fields.nested as { z: number }).z, 0)).toBe(true);
  });

  it('keeps a nested field named __proto__ as data, not as the prototype', () => {
    const input = JSON.parse('{"a": {"__proto__": {"polluted": true}, "b": 1}}') as object;
    const nested = checkInput('c', 'k', input).fields.a as object;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.keys(nested)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(nested)).toBe('{"__proto__":{"polluted":true},"b":1}');
    // At the top level the name starts with "_", so it is the engine's.
    expect(() => checkInput('c', 'k', JSON.parse('{"__proto__": 1}'))).toThrow(ReservedFieldError);
  });

  it('checks keys and collection names with typed errors', () => {
    expect(checkKey('k')).toBe('k');
    expect(() => checkKey('')).toThrow(InvalidDocumentKeyError);
    expect(() => checkKey(42)).toThrow('invalid document key of type number: keys must be strings');
    expect(checkCollectionName('users')).toBe('users');
    expect(() => checkCollectionName('')).toThrow(InvalidCollectionNameError);
    expect(() => checkCollectionName('x'.repeat(257))).toThrow(/longer than 256/);
    expect(() => checkCollectionName(undefined)).toThrow('invalid collection name of type undefined: it must be a string');
  });
});

describe('stored documents', () => {
  it('put the system fields first and read back as _key, _v and the user fields', () => {
    const doc = makeStoredDoc('k', 2, 7, 100, 200, { a: 1 });
    expect(Object.keys(doc)).toEqual(['_key', '_v', '_seq', '_createdAt', '_modifiedAt', 'a']);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.isFrozen(doc)).toBe(true);
    const view = readView(doc);
    expect(view).toEqual({ _key: 'k', _v: 2, a: 1 });
    expect(Object.getPrototypeOf(view)).toBe(Object.prototype);
    expect(Object.isFrozen(view)).toBe(false);
    const prototype = Object.prototype as Record<string, unknown>;
    Object.defineProperty(prototype, 'inherited', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(Object.keys(readView(doc))).toEqual(['_key', '_v', 'a']);
      // Neither the input check nor the stored document takes up inherited names.
      const { fields } = checkInput('c', 'k', { a: 1 });
      expect(Object.keys(fields)).toEqual(['a']);
      expect(Object.keys(makeStoredDoc('k', 1, 1, 1, 1, fields))).toEqual(['_key', '_v', '_seq', '_createdAt', '_modifiedAt', 'a']);
    } finally {
      delete prototype['inherited'];
    }
    view.extra = true;
    expect(doc).not.toHaveProperty('extra');
  });

  it('read views leave out every system field, by its leading underscore, and freeze a document read from disk', () => {
    // readView skips names by their first character: that holds only while every system field starts with
    // `_` and checkInput refuses user fields that do.
    for (const name of SYSTEM_FIELDS) expect(name.startsWith('_')).toBe(true);
    for (const name of ['_x', '__proto__', '_expiresAt', '_seq']) {
      expect(() => checkInput('c', 'k', JSON.parse(`{"${name}": 1}`))).toThrow(ReservedFieldError);
    }
    const stored = makeStoredDoc('k', 3, 1, 1, 1, { b: [1], a: 'x' }, 99);
    expect(Object.keys(readView(stored))).toEqual(['_key', '_v', 'b', 'a']);
    const fromDisk = JSON.parse('{"_key":"k","_v":1,"_seq":4,"_createdAt":1,"_modifiedAt":2,"_expiresAt":9,"tags":["a"],"n":0}') as StoredDoc;
    const view = readView(fromDisk);
    expect(view).toEqual({ _key: 'k', _v: 1, tags: ['a'], n: 0 });
    expect(Object.isFrozen(fromDisk)).toBe(true);
    expect(Object.isFrozen(view.tags)).toBe(true);
  });

  it('merge a patch over the top-level user fields only', () => {
    const doc = makeStoredDoc('k', 1, 1, 1, 1, { a: 1, nested: { x: 1, y: 2 } });
    expect(mergeFields(doc, { nested: { x: 5 }, b: 2 })).toEqual({ a: 1, nested: { x: 5 }, b: 2 });
  });
});

/** [1, <hole>, 3] */
function sparse(): number[] {
  const list = new Array<number>(3);
  list[0] = 1;
  list[2] = 3;
  return list;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
