export type {
  JsonValue,
  JsonObject,
  StoredDoc,
  ResultDoc,
  SortOrder,
  QueryInput,
  WhereInput,
  FieldOperatorInput,
  JoinInput,
  Query,
  Where,
  FieldCondition,
  FieldPath,
  RangeOperator,
  SortSpec,
  Projection,
  JoinSpec,
} from './types.js';
export { QueryError, SchemaError, SchemaValidationError, type QueryErrorCode, type SchemaIssue } from './errors.js';
export { parseQuery, parseWhere, DEFAULT_COUNT, MAX_COUNT } from './parse-query.js';
export { matchesWhere, compileWhere, type DocPredicate } from './where.js';
export { compileSort, selectTop, type Comparator } from './sort.js';
export { project, OPT_IN_SYSTEM_FIELDS } from './projection.js';
export { SecondaryIndex, type RangeBounds } from './secondary-index.js';
export type { QuerySource, QueryPlan, KeyAccess } from './planner.js';
export { executeFind, planFind, selectForDelete, oldestKeys, type FindResult, type DeleteSelectionOptions } from './execute.js';
export { compileSchema, validateDocument, type DocumentValidator } from './schema.js';
