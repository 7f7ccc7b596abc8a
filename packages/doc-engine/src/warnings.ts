import type { LogWarning } from '@kilndb/payload-store/log';

/**
 * Something the database met and worked around without failing the call that met it: a torn log tail cut
 * off, a transaction discarded at replay, a background compaction or post-backup hook that failed, a
 * change listener that threw.
 */
export interface DatabaseWarning {
  readonly code:
    | LogWarning['code']
    | 'unterminated-transaction'
    | 'incomplete-transaction'
    | 'orphan-entry'
    | 'out-of-order-entry'
    | 'unreadable-entry'
    | 'compaction-failed'
    | 'post-backup-hook-failed'
    | 'change-listener-failed'
    | 'sweep-failed'
    | 'damaged-index-entry';
  readonly message: string;
  readonly path?: string;
  readonly offset?: number;
  readonly cause?: unknown;
}
