import * as engine from '@kilndb/doc-engine';
import {
  ConflictError,
  DatabaseClosedError,
  DocumentNotFoundError,
  InvalidDocumentKeyError,
  LogWriteError,
  QueryError,
  SchemaValidationError,
} from '@kilndb/doc-engine';
import { otherCopyError } from '@kilndb/snapshot/testing';
import { describe, expect, it } from 'vitest';
import { isStorageFault, toHttpError } from './engine-errors.js';
import { HttpError } from './http-error.js';

describe('toHttpError', () => {
  it('keeps an HttpError as it is', () => {
    const error = new HttpError(418, 'teapot');
    expect(toHttpError(error)).toBe(error);
  });

  it('answers bad input 400 naming what was wrong', () => {
    const query = toHttpError(new QueryError('unknown-operator', 'where.age.$gtx', 'unknown operator'));
    expect([query.statusCode, query.detail]).toEqual([400, { path: 'where.age.$gtx', code: 'unknown-operator' }]);
    const key = toHttpError(new InvalidDocumentKeyError('', 'keys must not be empty'));
    expect(key.statusCode).toBe(400);
    expect(key.message).toContain('keys must not be empty');
    const schema = toHttpError(new SchemaValidationError([{ path: 'name', message: 'must be string' }]));
    expect([schema.statusCode, schema.detail]).toEqual([400, { errors: [{ path: 'name', message: 'must be string' }] }]);
  });

  it('answers a stale version 409 with both versions and an absent document 404', () => {
    const conflict = toHttpError(new ConflictError('users', 'ada', 1, 2));
    expect([conflict.statusCode, conflict.message]).toEqual([409, 'Conflict: Document version is outdated']);
    expect(conflict.detail).toEqual({ collection: 'users', key: 'ada', expectedVersion: 1, actualVersion: 2 });
    expect(toHttpError(new DocumentNotFoundError('users', 'ada')).statusCode).toBe(404);
  });

  it('answers storage faults 503 without their paths', () => {
    const closed = toHttpError(new DatabaseClosedError('/secret/dir'));
    const write = toHttpError(new LogWriteError('/secret/dir/log', Object.assign(new Error('disk full'), { code: 'ENOSPC' })));
    const eio = toHttpError(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
    for (const error of [closed, write, eio]) {
      expect(error.statusCode).toBe(503);
      expect(error.message).not.toContain('/secret');
    }
  });

  it('answers anything else 500 with a generic message', () => {
    const error = toHttpError(new TypeError('cannot read properties of undefined (at /src/x.ts:1)'));
    expect([error.statusCode, error.message, error.detail]).toEqual([500, 'Internal server error', undefined]);
  });

  describe('errors of another installed copy of doc-engine (branded, but not instances of these classes)', () => {
    it('answer as this copy\'s do, with their details', () => {
      const conflict = toHttpError(otherCopyError(ConflictError.kilnCode, { collection: 'users', key: 'ada', expectedVersion: 1, actualVersion: 2 }));
      expect([conflict.statusCode, conflict.detail]).toEqual([409, { collection: 'users', key: 'ada', expectedVersion: 1, actualVersion: 2 }]);
      const query = toHttpError(otherCopyError(QueryError.kilnCode, { path: 'where.a', code: 'unknown-operator' }));
      expect([query.statusCode, query.detail]).toEqual([400, { path: 'where.a', code: 'unknown-operator' }]);
      expect(toHttpError(otherCopyError(DocumentNotFoundError.kilnCode, { collection: 'c', key: 'k' })).statusCode).toBe(404);
      expect(toHttpError(otherCopyError(engine.ChangesUnavailableError.kilnCode, { sinceSeq: 1, oldestAvailableSeq: 5 })).statusCode).toBe(410);
      expect(toHttpError(otherCopyError('KILN_NOT_A_CODE_WE_KNOW')).statusCode).toBe(500);
    });

    it('answer 400 for InvalidInputError and every subclass doc-engine exports, 503 for every storage fault', () => {
      const inputClasses = Object.values(engine).filter(
        (value): value is typeof engine.InvalidInputError =>
          value === engine.InvalidInputError || (typeof value === 'function' && value.prototype instanceof engine.InvalidInputError),
      );
      expect(inputClasses.length).toBe(6);
      for (const inputClass of inputClasses) expect(toHttpError(otherCopyError(inputClass.kilnCode)).statusCode).toBe(400);
      const faults = [engine.LogFailedError, engine.LogWriteError, engine.LogClosedError, engine.LogReadOnlyError, DatabaseClosedError, engine.DatabaseReadOnlyError];
      for (const fault of faults) {
        expect(isStorageFault(otherCopyError(fault.kilnCode))).toBe(true);
        expect(toHttpError(otherCopyError(fault.kilnCode)).statusCode).toBe(503);
      }
    });
  });
});
