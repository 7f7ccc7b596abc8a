// The errors-only entry: the client runs in browsers, and wal-format's root imports node:zlib.
import { KilnError } from '@kilndb/wal-format/errors';

/**
 * Errors the client throws for a response that is not a success. Every one carries the HTTP status and the
 * parsed body (`{ error, statusCode, detail? }` from a KilnDB server), so callers can branch on the class
 * or look at the details.
 */
export class KilnHttpError extends KilnError {
  static override readonly kilnCode: string = 'KILN_CLIENT_HTTP';
  override readonly name: string = 'KilnHttpError';
  constructor(
    readonly status: number,
    /** The response body: parsed JSON when it was JSON, else the text (or undefined when empty). */
    readonly body: unknown,
    message?: string,
  ) {
    super(message ?? messageOf(status, body));
  }
}

/** 409 (a version guard or a transaction conflicted) or 412 (`If-Match` was stale). */
export class KilnConflictError extends KilnHttpError {
  static override readonly kilnCode: string = 'KILN_CLIENT_CONFLICT';
  override readonly name: string = 'KilnConflictError';
  /** The document's current version when the server says (`detail.current`); null when it does not exist. */
  readonly current: number | null | undefined;
  constructor(status: number, body: unknown, message?: string) {
    super(status, body, message);
    this.current = currentOf(body);
  }
}

/** 401 (no or bad token) or 403 (the token lacks the scope). */
export class KilnAuthError extends KilnHttpError {
  static override readonly kilnCode: string = 'KILN_CLIENT_AUTH';
  override readonly name: string = 'KilnAuthError';
}

/** 404: no such document (or no documents matched, on MoltenDB's /get). */
export class KilnNotFoundError extends KilnHttpError {
  static override readonly kilnCode: string = 'KILN_CLIENT_NOT_FOUND';
  override readonly name: string = 'KilnNotFoundError';
}

/** The typed error for a status and body. */
export function httpErrorFor(status: number, body: unknown): KilnHttpError {
  if (status === 409 || status === 412) return new KilnConflictError(status, body);
  if (status === 401 || status === 403) return new KilnAuthError(status, body);
  if (status === 404) return new KilnNotFoundError(status, body);
  return new KilnHttpError(status, body);
}

function messageOf(status: number, body: unknown): string {
  if (isRecord(body) && typeof body.error === 'string') return body.error;
  if (typeof body === 'string' && body !== '') return `HTTP ${status}: ${body.slice(0, 200)}`;
  return `HTTP ${status}`;
}

function currentOf(body: unknown): number | null | undefined {
  if (!isRecord(body) || !isRecord(body.detail)) return undefined;
  const current = body.detail.current;
  return typeof current === 'number' || current === null ? current : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
