/** The console's pages, addressed by the URL's hash so the server needs only one index.html. */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'collection'; readonly name: string }
  | { readonly page: 'query'; readonly collection: string | undefined }
  | { readonly page: 'storage' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const [pathname = '', search = ''] = path.split('?', 2);
  const parts = pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  if (parts[0] === 'collections' && parts[1] !== undefined) return { page: 'collection', name: parts[1] };
  if (parts[0] === 'query') return { page: 'query', collection: new URLSearchParams(search).get('collection') ?? undefined };
  if (parts[0] === 'storage') return { page: 'storage' };
  return { page: 'overview' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'collection':
      return `#/collections/${encodeURIComponent(route.name)}`;
    case 'query':
      return route.collection === undefined ? '#/query' : `#/query?collection=${encodeURIComponent(route.collection)}`;
    case 'storage':
      return '#/storage';
  }
}
