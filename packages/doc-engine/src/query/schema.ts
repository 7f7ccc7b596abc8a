// ajv is CommonJS with `module.exports = Ajv` plus `module.exports.Ajv = Ajv`.
// Under NodeNext a default import is typed as the whole module (so `new Ajv()`
// does not type-check), while the named export is both typed and present at
// run time in Node's ESM loader. Hence the named import.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SchemaError, SchemaValidationError, type SchemaIssue } from './errors.js';

/** A compiled collection schema. */
export interface DocumentValidator {
  readonly schema: unknown;
  /** Every problem with `doc`; empty when it is valid. */
  issues(doc: unknown): SchemaIssue[];
}

/** `/price/0` → `price.0`; JSON-pointer escapes undone. */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .join('.');
}

function childPath(parent: string, child: string): string {
  return parent === '' ? child : `${parent}.${child}`;
}

/** Names the offending property itself where ajv reports it on the parent object. */
function toIssue(error: ErrorObject): SchemaIssue {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const message = error.message ?? error.keyword;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: childPath(path, params.missingProperty), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { path: childPath(path, params.additionalProperty), message: 'is not allowed by the schema' };
  }
  return { path, message };
}

let sharedAjv: Ajv | undefined;

/**
 * Compiles a JSON schema (ajv, draft-07 by default, strict mode, all errors).
 * Throws SchemaError when ajv rejects the schema. One ajv instance is shared
 * (creating one costs tens of ms); each schema is removed from it right after
 * compiling, so `$id`s of different collections never clash.
 */
export function compileSchema(schema: unknown): DocumentValidator {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SchemaError(`Invalid schema: must be a JSON object, got ${Array.isArray(schema) ? 'an array' : String(schema)}`);
  }
  const ajv = (sharedAjv ??= new Ajv({ allErrors: true }));
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new SchemaError(`Invalid schema: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    ajv.removeSchema(schema);
  }
  return {
    schema,
    issues: (doc) => (validate(doc) ? [] : (validate.errors ?? []).map(toIssue)),
  };
}

/** Throws SchemaValidationError listing every failing path when `doc` does not satisfy the schema. */
export function validateDocument(validator: DocumentValidator, doc: unknown): void {
  const issues = validator.issues(doc);
  if (issues.length > 0) throw new SchemaValidationError(issues);
}
