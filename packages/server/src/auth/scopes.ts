import type { ScopeAction } from './principal.js';

/** The one scope that grants everything, and marks a token as admin. */
export const ADMIN_SCOPE = '*:*:*';

const ACTIONS: ReadonlySet<string> = new Set(['read', 'write', 'delete', '*']);
// Collection and key patterns follow the server's name limits (MoltenDB's): a key pattern may end in `*`
// (a prefix wildcard such as `store_A_*`), a collection is exact or `*`.
const COLLECTION_PATTERN = /^(\*|[A-Za-z0-9_-]{1,64})$/;
const KEY_PATTERN = /^(\*|[A-Za-z0-9_.-]{1,256}\*?)$/;

/** Why a scope string is malformed, or undefined when it is a valid `action:collection:key`. */
export function scopeSyntaxError(scope: string): string | undefined {
  const parts = scope.split(':');
  if (parts.length !== 3) return 'a scope has three parts, action:collection:key';
  const [action = '', collection = '', key = ''] = parts;
  if (!ACTIONS.has(action)) return `action "${action}" is not read, write, delete or *`;
  if (!COLLECTION_PATTERN.test(collection)) return `collection "${collection}" is not * or a collection name`;
  if (!KEY_PATTERN.test(key)) return `key "${key}" is not *, a key, or a key prefix ending in *`;
  return undefined;
}

function keyMatches(pattern: string, key: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return key.startsWith(pattern.slice(0, -1));
  return pattern === key;
}

function actionGrants(scopeAction: string, action: ScopeAction): boolean {
  return scopeAction === '*' || scopeAction === action || (action === 'delete' && scopeAction === 'write');
}

/**
 * Does one scope grant `action` on `collection`/`key`? As MoltenDB: the action must match (`write` does not
 * imply `read`), the collection exactly or by `*`, the key exactly, by `*` or by prefix. A request about a
 * whole collection (no key) needs a `*` key. Unlike MoltenDB, a `*` action matches every action (MoltenDB only
 * honours it inside `*:*:*`, so `*:users:*` grants nothing there), and `write` also grants `delete`.
 */
export function scopeGrants(scope: string, action: ScopeAction, collection: string, key: string | undefined): boolean {
  if (scope === ADMIN_SCOPE) return true;
  const parts = scope.split(':');
  if (parts.length !== 3) return false;
  const [sAction = '', sCollection = '', sKey = ''] = parts;
  if (!actionGrants(sAction, action)) return false;
  if (sCollection !== '*' && sCollection !== collection) return false;
  return key === undefined ? sKey === '*' : keyMatches(sKey, key);
}

/** Does one scope grant `action` on at least some key of `collection`? (Who hears that a collection was dropped.) */
export function scopeTouches(scope: string, action: ScopeAction, collection: string): boolean {
  if (scope === ADMIN_SCOPE) return true;
  const parts = scope.split(':');
  const [sAction = '', sCollection = ''] = parts;
  return parts.length === 3 && actionGrants(sAction, action) && (sCollection === '*' || sCollection === collection);
}
