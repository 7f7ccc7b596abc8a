import { AppendLog } from '../log/append-log.js';
import type { AppendLogOptions, LogWarning } from '../log/log-options.js';

/** A log opened for a test, with the ids of the store records its replay saw and the warnings it gave. */
export interface OpenedLog {
  readonly log: AppendLog;
  readonly ids: number[];
  readonly warnings: LogWarning[];
}

export async function openLog(logPath: string, options: AppendLogOptions = {}): Promise<OpenedLog> {
  const ids: number[] = [];
  const warnings: LogWarning[] = [];
  const log = await AppendLog.open(logPath, {
    ...options,
    onRecord: ({ record }) => {
      if (record.type === 'store') ids.push(Number(record.id));
    },
    onWarning: (w) => warnings.push(w),
  });
  return { log, ids, warnings };
}
