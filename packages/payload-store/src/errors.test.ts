import { errorClassTable } from '@kilndb/snapshot/testing';
import { hasErrorCode, isKilnError } from '@kilndb/wal-format';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { LogWriteError, PayloadValueError } from './errors.js';

describe('payload-store errors', () => {
  it('every exported error class is a KilnError with the code the README lists', () => {
    const rows = errorClassTable(api);
    expect(rows.map((row) => [row.name, row.kilnCode])).toEqual([
      ['DirectoryLockedError', 'KILN_DIRECTORY_LOCKED'],
      ['LogClosedError', 'KILN_LOG_CLOSED'],
      ['LogFailedError', 'KILN_LOG_FAILED'],
      ['LogReadOnlyError', 'KILN_LOG_READ_ONLY'],
      ['LogWriteError', 'KILN_LOG_WRITE'],
      ['PayloadCorruptError', 'KILN_PAYLOAD_CORRUPT'],
      ['PayloadValueError', 'KILN_PAYLOAD_VALUE'],
      ['RecordEncodeError', 'KILN_RECORD_ENCODE'],
      ['ReplayStartError', 'KILN_REPLAY_START'],
      ['StoreInputError', 'KILN_STORE_INPUT'],
      ['StoreLayoutError', 'KILN_STORE_LAYOUT'],
      ['StoreOptionError', 'KILN_STORE_OPTION'],
    ]);
    for (const row of rows) expect(row).toMatchObject({ instanceCode: row.kilnCode, instanceName: row.name, isKilnError: true });
  });

  it('keep code for the errno and TypeError as the base where they had them', () => {
    const cause = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const write = new LogWriteError('/x.log', cause);
    expect([write.code, write.kilnCode, hasErrorCode(write, LogWriteError)]).toEqual(['ENOSPC', 'KILN_LOG_WRITE', true]);
    const value = new PayloadValueError(1, '$', 'is a function');
    expect(value).toBeInstanceOf(TypeError);
    expect(isKilnError(value)).toBe(true);
  });
});
