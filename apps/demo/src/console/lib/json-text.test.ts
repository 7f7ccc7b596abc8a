import { describe, expect, it } from 'vitest';
import { editableText, readDocument, readJson, readOptionalJson } from './json-text.js';

describe('readJson', () => {
  it('returns the value of valid JSON', () => {
    expect(readJson('{"a": [1, 2]}')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it('names the line and column of a syntax error when the engine gives its position', () => {
    const read = readJson('{\n  "a": 1\n  "b": 2}');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toBe("Invalid JSON at line 3, column 3: Expected ',' or '}' after property value");
  });

  it("passes the engine's message on when it has no position", () => {
    const read = readJson('{"a": ');
    expect(read).toEqual({ ok: false, error: 'Invalid JSON: Unexpected end of JSON input' });
  });
});

describe('readDocument', () => {
  it('accepts an object', () => {
    expect(readDocument('{"brand": "Dell"}')).toEqual({ ok: true, value: { brand: 'Dell' } });
  });

  it.each([
    ['[1]', 'must be a JSON object'],
    ['"text"', 'must be a JSON object'],
    ['null', 'must be a JSON object'],
    ['{"_v": 3, "a": 1, "_key": "x"}', 'belong to the server: _v, _key'],
    ['{"a": ', 'Invalid JSON'],
  ])('refuses %s', (text, message) => {
    const read = readDocument(text);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toContain(message);
  });
});

describe('readOptionalJson', () => {
  it('treats blank text as absent and prefixes errors with the field', () => {
    expect(readOptionalJson('  \n', 'Where')).toEqual({ ok: true, value: undefined });
    const read = readOptionalJson('{x}', 'Where');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatch(/^Where: Invalid JSON/);
  });
});

describe('editableText', () => {
  it('leaves out the fields the server manages', () => {
    expect(JSON.parse(editableText({ _key: 'lp1', _v: 2, _createdAt: 1, brand: 'Dell', specs: { ram: 16 } }))).toEqual({ brand: 'Dell', specs: { ram: 16 } });
  });
});
