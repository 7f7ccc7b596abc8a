import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, type Route } from './route.js';

describe('parseRoute', () => {
  it.each<[string, Route]>([
    ['', { page: 'overview' }],
    ['#/', { page: 'overview' }],
    ['#/nowhere', { page: 'overview' }],
    ['#/collections/laptops', { page: 'collection', name: 'laptops' }],
    ['#/query', { page: 'query', collection: undefined }],
    ['#/query?collection=my%20docs', { page: 'query', collection: 'my docs' }],
    ['#/storage', { page: 'storage' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('round-trips through hrefOf', () => {
    for (const route of [{ page: 'collection', name: 'a b/c' }, { page: 'query', collection: 'x&y' }, { page: 'storage' }] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });
});
