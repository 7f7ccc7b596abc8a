import {
  ChangesUnavailableError,
  ConflictError,
  DatabaseClosedError,
  DatabaseReadOnlyError,
  DocumentNotFoundError,
  InvalidInputError,
  LogClosedError,
  LogFailedError,
  LogReadOnlyError,
  LogWriteError,
  QueryError,
  SchemaError,
  SchemaValidationError,
} from '@kilndb/doc-engine';
import { HttpError } from './http-error.js';

// errno codes of a failing disk: the request was fine, the server cannot store it now.
const STORAGE_ERRNOS: ReadonlySet<string> = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);

/**
 * The HTTP answer for an error thrown by the engine: bad input 400 naming what, version conflicts 409, an
 * absent document 404, storage faults 503, anything else 500 with a generic message (the details go to the
 * log, never to the client).
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof QueryError) return new HttpError(400, error.message, { path: error.path, code: error.code });
  if (error instanceof SchemaValidationError) return new HttpError(400, error.message, { errors: error.errors });
  if (error instanceof SchemaError) return new HttpError(400, `Invalid Schema: ${error.message}`);
  if (error instanceof InvalidInputError) return new HttpError(400, error.message);
  if (error instanceof ConflictError) {
    return new HttpError(409, 'Conflict: Document version is outdated', {
      collection: error.collection,
      ...(error.key === undefined ? {} : { key: error.key }),
      ...(error.expectedVersion === undefined ? {} : { expectedVersion: error.expectedVersion }),
      ...(error.actualVersion === undefined ? {} : { actualVersion: error.actualVersion }),
    });
  }
  if (error instanceof DocumentNotFoundError) return new HttpError(404, 'Document not found', { collection: error.collection, key: error.key });
  if (error instanceof ChangesUnavailableError) {
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
  if (
    error instanceof LogFailedError ||
    error instanceof LogWriteError ||
    error instanceof LogClosedError ||
    error instanceof LogReadOnlyError ||
    error instanceof DatabaseClosedError ||
    error instanceof DatabaseReadOnlyError
  ) {
    return true;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_ERRNOS.has(code);
}
