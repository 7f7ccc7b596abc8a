import { KilnError } from '@kilndb/wal-format';

/**
 * An error a route answers with: `{ error, statusCode }` as MoltenDB does, plus `detail` where there is more
 * to say (the offending path or field). Anything thrown that is not an HttpError goes through
 * `toHttpError` in the error handler, so engine errors keep their typed meaning and nothing leaks a stack.
 */
export class HttpError extends KilnError {
  static override readonly kilnCode = 'KILN_HTTP';
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  readonly error: string;
  readonly statusCode: number;
  readonly detail?: unknown;
}

export function errorBody(error: HttpError): ErrorBody {
  return error.detail === undefined
    ? { error: error.message, statusCode: error.statusCode }
    : { error: error.message, statusCode: error.statusCode, detail: error.detail };
}
