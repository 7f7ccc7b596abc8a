import { LogClosedError as StoreLogClosedError } from '@kilndb/payload-store';
import { errorClassTable, otherCopyError } from '@kilndb/snapshot/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('doc-engine errors', () => {
  it('every exported error class is a KilnError with the code the README lists, each code once', () => {
    const rows = errorClassTable(api);
    expect(rows.map((row) => [row.name, row.kilnCode])).toEqual([
      ['ChangesUnavailableError', 'KILN_CHANGES_UNAVAILABLE'],
      ['ConflictError', 'KILN_CONFLICT'],
      ['DatabaseClosedError', 'KILN_DATABASE_CLOSED'],
      ['DatabaseLayoutError', 'KILN_DATABASE_LAYOUT'],
      ['DatabaseReadOnlyError', 'KILN_DATABASE_READ_ONLY'],
      ['DecryptionError', 'KILN_DECRYPTION'],
      ['DirectoryLockedError', 'KILN_DIRECTORY_LOCKED'],
      ['DocumentNotFoundError', 'KILN_DOCUMENT_NOT_FOUND'],
      ['ImportTargetNotEmptyError', 'KILN_IMPORT_TARGET_NOT_EMPTY'],
      ['InvalidCollectionNameError', 'KILN_INVALID_COLLECTION_NAME'],
      ['InvalidDocumentError', 'KILN_INVALID_DOCUMENT'],
      ['InvalidDocumentKeyError', 'KILN_INVALID_DOCUMENT_KEY'],
      ['InvalidInputError', 'KILN_INVALID_INPUT'],
      ['InvalidKeyError', 'KILN_INVALID_KEY'],
      ['InvalidOptionError', 'KILN_INVALID_OPTION'],
      ['KeyringCorruptError', 'KILN_KEYRING_CORRUPT'],
      ['KilnError', 'KILN_ERROR'],
      ['LogClosedError', 'KILN_LOG_CLOSED'],
      ['LogEntryFormatError', 'KILN_LOG_ENTRY_FORMAT'],
      ['LogFailedError', 'KILN_LOG_FAILED'],
      ['LogReadOnlyError', 'KILN_LOG_READ_ONLY'],
      ['LogWriteError', 'KILN_LOG_WRITE'],
      ['MissingKeyError', 'KILN_MISSING_KEY'],
      ['MoltenDbInputError', 'KILN_MOLTENDB_INPUT'],
      ['QueryError', 'KILN_QUERY'],
      ['RecoveryRangeError', 'KILN_RECOVERY_RANGE'],
      ['ReservedFieldError', 'KILN_RESERVED_FIELD'],
      ['SchemaError', 'KILN_SCHEMA'],
      ['SchemaValidationError', 'KILN_SCHEMA_VALIDATION'],
      ['SnapshotFormatError', 'KILN_SNAPSHOT_FORMAT'],
      ['TransactionClosedError', 'KILN_TRANSACTION_CLOSED'],
      ['UnexpectedKeyError', 'KILN_UNEXPECTED_KEY'],
      ['UnsupportedKdfError', 'KILN_UNSUPPORTED_KDF'],
      ['WrongKeyError', 'KILN_WRONG_KEY'],
    ]);
    const concrete = rows.filter((row) => row.name !== 'KilnError');
    for (const row of concrete) expect(row).toMatchObject({ instanceCode: row.kilnCode, instanceName: row.name, isKilnError: true });
    expect(new Set(rows.map((row) => row.kilnCode)).size).toBe(rows.length);
  });

  it('keeps the bases and the meaning of code the classes had', () => {
    const input = new api.InvalidDocumentError('c', 'k', 'a.b', 'is a function');
    expect([input instanceof TypeError, input instanceof api.InvalidInputError, input instanceof api.KilnError]).toEqual([true, true, true]);
    expect(new api.InvalidKeyError('empty')).toBeInstanceOf(TypeError);
    const query = new api.QueryError('unknown-operator', 'where.a.$gtx', 'unknown operator');
    expect([query.code, query.kilnCode]).toEqual(['unknown-operator', 'KILN_QUERY']);
  });

  it('re-exports the log errors of @kilndb/payload-store as the same classes, not copies', () => {
    expect(api.LogClosedError).toBe(StoreLogClosedError);
  });

  it('an error of another installed copy passes isKilnError and hasErrorCode, though instanceof its class fails', () => {
    const other = otherCopyError('KILN_CONFLICT');
    expect(other instanceof api.ConflictError).toBe(false);
    expect(api.isKilnError(other)).toBe(true);
    expect(api.hasErrorCode(other, api.ConflictError)).toBe(true);
    expect(api.hasErrorCode(other, api.DocumentNotFoundError)).toBe(false);
    expect(other instanceof api.KilnError).toBe(true);
  });
});
