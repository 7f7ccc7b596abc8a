import type { LogWarning } from './log/index.js';

/** What `onWarning` hears: the log's warnings, a snapshot rejected at open, and background work that failed. */
export interface PayloadStoreWarning {
  readonly code: LogWarning['code'] | 'snapshot-rejected' | 'snapshot-failed' | 'compaction-failed';
  readonly message: string;
  readonly path: string;
  readonly offset?: number;
}
