/** Who a verified token speaks for. */
export interface Principal {
  /** `sub`: the user name or the delegated client id. */
  readonly sub: string;
  /** `action:collection:key` scopes; `*:*:*` is admin. */
  readonly scopes: readonly string[];
  readonly jti: string;
  /** Expiry, unix seconds. */
  readonly exp: number;
}

/**
 * The actions a scope can name. `delete` is MoltenDB's action for /delete; a `write` scope grants it too
 * (whoever may overwrite every document gains nothing by also deleting them), so routes may ask for `delete`.
 */
export type ScopeAction = 'read' | 'write' | 'delete';
