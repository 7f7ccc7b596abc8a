import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { typeboxValidator } from './validator.js';

const schema = Type.Object({ limit: Type.Integer() }, { additionalProperties: false });
const compile = (httpPart: string) => typeboxValidator({ schema, httpPart, method: 'GET', url: '/x' }) as (input: unknown) => { value?: unknown; error?: unknown };

describe('typeboxValidator', () => {
  it('converts a query string before checking it', () => {
    expect(compile('querystring')({ limit: '10' })).toEqual({ value: { limit: 10 } });
  });

  it('checks bodies, params and headers as they are, and reports unknown properties', () => {
    for (const part of ['body', 'params', 'headers']) {
      expect(compile(part)({ limit: '10' }).error).toBeDefined();
      expect(compile(part)({ limit: 10 })).toEqual({ value: { limit: 10 } });
      expect(compile(part)({ limit: 10, extra: 1 }).error).toBeDefined();
    }
  });
});
