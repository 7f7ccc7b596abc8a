import { errorClassTable } from '@kilndb/snapshot/testing';
import { describe, expect, it } from 'vitest';
import * as client from './client/index.js';
import * as api from './index.js';
import { PasswordCheckBusyError } from './auth/password.js';
import { CliUsageError } from './cli/values.js';

describe('server errors', () => {
  it('every error class the server, its client and its CLI export is a KilnError with its own code', () => {
    const rows = errorClassTable({ ...api, ...client, CliUsageError, PasswordCheckBusyError });
    expect(rows.map((row) => [row.name, row.kilnCode])).toEqual([
      ['CliUsageError', 'KILN_CLI_USAGE'],
      ['ConfigError', 'KILN_CONFIG'],
      ['HttpError', 'KILN_HTTP'],
      ['KilnAuthError', 'KILN_CLIENT_AUTH'],
      ['KilnConflictError', 'KILN_CLIENT_CONFLICT'],
      ['KilnHttpError', 'KILN_CLIENT_HTTP'],
      ['KilnNotFoundError', 'KILN_CLIENT_NOT_FOUND'],
      ['PasswordCheckBusyError', 'KILN_PASSWORD_CHECK_BUSY'],
      ['RevocationFileError', 'KILN_REVOCATION_FILE'],
    ]);
    for (const row of rows) expect(row).toMatchObject({ instanceCode: row.kilnCode, instanceName: row.name, isKilnError: true });
  });

  it('the client errors stay KilnHttpErrors, with their status', () => {
    const conflict = new client.KilnConflictError(409, { error: 'Conflict', statusCode: 409, detail: { current: 3 } });
    expect([conflict instanceof client.KilnHttpError, conflict.status, conflict.current, conflict.kilnCode]).toEqual([true, 409, 3, 'KILN_CLIENT_CONFLICT']);
  });
});
