import { describe, expect, it } from 'vitest';
import { SchemaError, SchemaValidationError } from './errors.js';
import { compileSchema, validateDocument } from './schema.js';

const laptopSchema = {
  type: 'object',
  properties: {
    brand: { type: 'string' },
    price: { type: 'number', minimum: 0 },
    specs: {
      type: 'object',
      properties: { ram: { type: 'integer' }, 'a/b': { type: 'string' } },
      additionalProperties: false,
    },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['brand', 'price'],
};

function failure(run: () => void): SchemaValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaValidationError) return error;
    throw error;
  }
  throw new Error('expected a SchemaValidationError');
}

describe('compileSchema', () => {
  it('rejects schemas ajv cannot compile, with ajv\'s reason', () => {
    expect(() => compileSchema({ type: 'strnig' })).toThrow(SchemaError);
    expect(() => compileSchema({ type: 'strnig' })).toThrow('Invalid schema: schema is invalid: data/type must be equal to one of the allowed values');
    expect(() => compileSchema({ type: 'object', propertiez: {} })).toThrow(/unknown keyword: "propertiez"/);
    expect(() => compileSchema([])).toThrow('must be a JSON object, got an array');
    expect(() => compileSchema(null)).toThrow(SchemaError);
  });

  it('compiles schemas with the same $id independently, also after a failed compile', () => {
    expect(() => compileSchema({ $id: 'same', type: 'nope' })).toThrow(SchemaError);
    const first = compileSchema({ $id: 'same', type: 'string' });
    const second = compileSchema({ $id: 'same', type: 'number' });
    expect(first.issues('x')).toEqual([]);
    expect(second.issues(1)).toEqual([]);
    expect(second.issues('x')).toHaveLength(1);
  });
});

describe('validateDocument', () => {
  const validator = compileSchema(laptopSchema);

  it('accepts a valid document', () => {
    expect(() => {
      validateDocument(validator, { brand: 'HP', price: 10, specs: { ram: 8 }, tags: ['a'] });
    }).not.toThrow();
  });

  it('names every failing path and its message', () => {
    const error = failure(() => {
      validateDocument(validator, { price: -1, specs: { ram: 1.5, gpu: 'x', 'a/b': 3 }, tags: ['ok', 2] });
    });
    expect(error.errors).toEqual(
      expect.arrayContaining([
        { path: 'brand', message: 'is required' },
        { path: 'price', message: 'must be >= 0' },
        { path: 'specs.ram', message: 'must be integer' },
        { path: 'specs.gpu', message: 'is not allowed by the schema' },
        { path: 'specs.a/b', message: 'must be string' },
        { path: 'tags.1', message: 'must be string' },
      ]),
    );
    expect(error.errors).toHaveLength(6);
    for (const issue of error.errors) expect(error.message).toContain(`${issue.path}: ${issue.message}`);
    expect(error.name).toBe('SchemaValidationError');
  });

  it('reports a wrong document type at the document itself', () => {
    const error = failure(() => {
      validateDocument(validator, 'not a doc');
    });
    expect(error.errors).toEqual([{ path: '', message: 'must be object' }]);
    expect(error.message).toContain('(document): must be object');
  });
});
