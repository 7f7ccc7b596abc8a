import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { checkCollectionName, checkDocumentKey, checkKeyCount, jsonNestingExceeds } from './limits.js';

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof HttpError ? error.statusCode : -1;
  }
}

describe('collection names', () => {
  it('accepts MoltenDB names up to 64 characters', () => {
    for (const name of ['users', 'a', 'A_b-9', 'x'.repeat(64)]) expect(checkCollectionName(name)).toBe(name);
  });
  it('refuses empty, long, dotted, spaced and reserved names with a 400 naming them', () => {
    for (const name of ['', 'x'.repeat(65), 'a.b', 'a b', 'ü', '__proto__', 'constructor', 'prototype']) {
      expect(statusOf(() => checkCollectionName(name))).toBe(400);
    }
    expect(() => checkCollectionName('a/b')).toThrow(/Invalid collection name: 'a\/b'/);
  });
});

describe('document keys', () => {
  it('accepts MoltenDB keys up to 256 characters, dots included', () => {
    for (const key of ['ada', 'a.b-c_d', 'k'.repeat(256), '01J0-uuid.v7']) expect(checkDocumentKey(key)).toBe(key);
  });
  it('refuses empty, long, slashed and reserved keys', () => {
    for (const key of ['', 'k'.repeat(257), 'a/b', 'a:b', '__proto__', 'constructor', 'prototype']) {
      expect(statusOf(() => checkDocumentKey(key))).toBe(400);
    }
  });
});

describe('keys per request', () => {
  it('allows up to the limit and refuses one more', () => {
    expect(statusOf(() => {
      checkKeyCount(1000, 1000);
    })).toBeUndefined();
    expect(() => {
      checkKeyCount(1001, 1000);
    }).toThrow('Too many keys in single request (max 1000)');
  });
});

describe('jsonNestingExceeds', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  it('counts objects and arrays alike, up to the limit inclusive', () => {
    expect(jsonNestingExceeds(nested(32), 32)).toBe(false);
    expect(jsonNestingExceeds(nested(33), 32)).toBe(true);
    expect(jsonNestingExceeds('{"a":'.repeat(33) + '1' + '}'.repeat(33), 32)).toBe(true);
    expect(jsonNestingExceeds('{"a":[1,{"b":[]}],"c":{}}', 4)).toBe(false);
    expect(jsonNestingExceeds('{"a":[1,{"b":[]}],"c":{}}', 3)).toBe(true);
  });
  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestingExceeds(JSON.stringify({ a: '[[[[[[[[', b: 'x"[[[[\\"{{{{' }), 1)).toBe(false);
  });
  it('scans a million levels without recursion', () => {
    expect(jsonNestingExceeds(nested(1_000_000), 32)).toBe(true);
  });
});
