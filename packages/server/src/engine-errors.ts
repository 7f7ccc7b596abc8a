import {
  ChangesUnavailableError,
  ConflictError,
  DatabaseClosedError,
  DatabaseReadOnlyError,
  DocumentNotFoundError,
  hasErrorCode,
  InvalidCollectionNameError,
  InvalidDocumentError,
  InvalidDocumentKeyError,
  InvalidInputError,
  InvalidOptionError,
  isKilnError,
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  LogWriteError,
  QueryError,
  ReservedFieldError,
  SchemaError,
  SchemaValidationError,
  type KilnError,
  type KilnErrorClass,
} from '@kilndb/doc-engine';
import { HttpError } from './http-error.js';

// errno codes of a failing disk: the request was fine, the server cannot store it now.
const STORAGE_ERRNOS: ReadonlySet<string> = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);

// Engine errors are matched by kilnCode, not instanceof, so a database made by another installed copy of
// doc-engine still gets the same answers. A class matches by its own code only: its subclasses are listed.
/** InvalidInputError and each of its subclasses. */
const BAD_INPUT_ERRORS: readonly KilnErrorClass[] = [
  InvalidInputError,
  InvalidCollectionNameError,
  InvalidDocumentKeyError,
  InvalidDocumentError,
  ReservedFieldError,
  InvalidOptionError,
];
const STORAGE_FAULT_ERRORS: readonly KilnErrorClass[] = [
  LogFailedError,
  LogWriteError,
  LogClosedError,
  LogReadOnlyError,
  DatabaseClosedError,
  DatabaseReadOnlyError,
];

function isOneOf(error: unknown, classes: readonly KilnErrorClass[]): error is KilnError {
  return isKilnError(error) && classes.some((errorClass) => errorClass.kilnCode === error.kilnCode);
}

/**
 * The HTTP answer for an error thrown by the engine: bad input 400 naming what, version conflicts 409, an
 * absent document 404, storage faults 503, anything else 500 with a generic message (the details go to the
 * log, never to the client).
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (hasErrorCode(error, QueryError)) return new HttpError(400, error.message, { path: error.path, code: error.code });
  if (hasErrorCode(error, SchemaValidationError)) return new HttpError(400, error.message, { errors: error.errors });
  if (hasErrorCode(error, SchemaError)) return new HttpError(400, `Invalid Schema: ${error.message}`);
  if (isOneOf(error, BAD_INPUT_ERRORS)) return new HttpError(400, error.message);
  if (hasErrorCode(error, ConflictError)) {
    return new HttpError(409, 'Conflict: Document version is outdated', {
      collection: error.collection,
      ...(error.key === undefined ? {} : { key: error.key }),
      ...(error.expectedVersion === undefined ? {} : { expectedVersion: error.expectedVersion }),
      ...(error.actualVersion === undefined ? {} : { actualVersion: error.actualVersion }),
    });
  }
  if (hasErrorCode(error, DocumentNotFoundError)) return new HttpError(404, 'Document not found', { collection: error.collection, key: error.key });
  if (hasErrorCode(error, ChangesUnavailableError)) {
    return new HttpError(410, error.message, { sinceSeq: error.sinceSeq, oldestAvailableSeq: error.oldestAvailableSeq });
  }
  if (isStorageFault(error)) {
    const name = error instanceof Error ? error.name : 'storage';
    return new HttpError(503, `Service unavailable -- storage fault (${name})`);
  }
  return new HttpError(500, 'Internal server error');
}

/** Errors that mean the database cannot take writes (or any request) right now, whatever was asked. */
export function isStorageFault(error: unknown): boolean {
  if (isOneOf(error, STORAGE_FAULT_ERRORS)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_ERRNOS.has(code);
}
