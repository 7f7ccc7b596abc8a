import { KilnError } from '@kilndb/wal-format';

export type QueryErrorCode =
  | 'invalid-type'
  | 'invalid-value'
  | 'out-of-range'
  | 'unknown-property'
  | 'unknown-operator'
  | 'conflict';

/**
 * A query (or a `where` for a delete) that cannot be run. `path` locates the
 * offending part, e.g. `where.age.$gtx` or `joins[0].ram.from`.
 */
export class QueryError extends KilnError {
  static override readonly kilnCode = 'KILN_QUERY';
  override readonly name = 'QueryError';
  constructor(
    readonly code: QueryErrorCode,
    readonly path: string,
    problem: string,
  ) {
    super(path === '' ? `Invalid query: ${problem}` : `Invalid query at ${path}: ${problem}`);
  }
}

/** A JSON schema that ajv refuses to compile. */
export class SchemaError extends KilnError {
  static override readonly kilnCode = 'KILN_SCHEMA';
  override readonly name = 'SchemaError';
}

export interface SchemaIssue {
  /** Dot path of the failing value inside the document; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** A document that does not satisfy its collection's schema; lists every failing path. */
export class SchemaValidationError extends KilnError {
  static override readonly kilnCode = 'KILN_SCHEMA_VALIDATION';
  override readonly name = 'SchemaValidationError';
  constructor(readonly errors: readonly SchemaIssue[]) {
    const listed = errors.map((issue) => `${issue.path === '' ? '(document)' : issue.path}: ${issue.message}`);
    super(`Document does not match the collection schema: ${listed.join('; ')}`);
  }
}
