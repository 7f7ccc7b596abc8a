import { describe, expect, it } from 'vitest';
import { toKilnFields } from './documents.js';

describe('toKilnFields', () => {
  it('drops top-level fields starting with _ and counts them by name; keeps nested ones and everything else', () => {
    const dropped = new Map<string, number>();
    const doc = { _v: 3, _key: 'a', createdAt: '2024-01-01T00:00:00Z', name: 'Ann', meta: { _internal: 1 }, _custom: true };
    expect(toKilnFields('users', 'a', doc, dropped)).toEqual({
      fields: { createdAt: '2024-01-01T00:00:00Z', name: 'Ann', meta: { _internal: 1 } },
    });
    toKilnFields('users', 'b', { _v: 1, __proto__x: 1 }, dropped);
    expect(Object.fromEntries(dropped)).toEqual({ _v: 2, _key: 1, _custom: 1, __proto__x: 1 });
  });

  it('drops a field named __proto__ like any other _ field, counting it without touching a prototype', () => {
    const dropped = new Map<string, number>();
    const doc = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown;
    const result = toKilnFields('c', 'k', doc, dropped);
    expect(result).toEqual({ fields: { ok: 1 } });
    expect(Object.getPrototypeOf('fields' in result ? result.fields : null)).toBe(Object.prototype);
    expect(dropped.get('__proto__')).toBe(1);
  });

  it('rejects documents KilnDB cannot hold, saying why', () => {
    const dropped = new Map<string, number>();
    expect(toKilnFields('c', 'k', 42, dropped)).toEqual({ rejected: { collection: 'c', key: 'k', reason: 'not-an-object' } });
    expect(toKilnFields('c', 'k', [1, 2], dropped)).toEqual({ rejected: { collection: 'c', key: 'k', reason: 'not-an-object' } });
    expect(toKilnFields('c', 'k', null, dropped)).toEqual({ rejected: { collection: 'c', key: 'k', reason: 'not-an-object' } });
    expect(toKilnFields('c', '', {}, dropped)).toEqual({ rejected: { collection: 'c', key: '', reason: 'empty-key' } });
    expect(toKilnFields('', 'k', {}, dropped)).toEqual({ rejected: { collection: '', key: 'k', reason: 'invalid-collection-name' } });
    expect(toKilnFields('x'.repeat(257), 'k', {}, dropped)).toMatchObject({ rejected: { reason: 'invalid-collection-name' } });
  });
});
