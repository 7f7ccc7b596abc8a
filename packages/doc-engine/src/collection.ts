import { asError } from '@kilndb/wal-format';
import { collectionStats, type CollectionStats } from './state/collection-stats.js';
import { checkKey, hasLoneSurrogate, readView, type ReadDoc } from './state/documents.js';
import { InvalidInputError } from './errors.js';
import { liveCount, liveDoc, liveKeys, StateSource } from './state/live.js';
import type { LogEntry } from './log/log-entry.js';
import { executeFind, oldestKeys, selectForDelete, type FindResult } from './query/execute.js';
import { parseQuery, parseWhere } from './query/parse-query.js';
import { compileSchema } from './query/schema.js';
import { toFieldPath } from './query/values.js';
import type { JsonValue, QueryInput, ResultDoc, SortOrder, WhereInput } from './query/types.js';
import {
  deleteManyOps,
  deleteOp,
  insertOps,
  resultOf,
  setOp,
  updateOp,
  type ExpiryOptions,
  type InsertInput,
  type VersionGuard,
  type WriteOptions,
  type WriteResult,
} from './write/write-ops.js';
import type { DatabaseInternals } from './internals.js';

export interface DeleteWhereOptions {
  /** At most this many documents (1..1000, default 100). */
  readonly count?: number;
  /** 'asc' (default): oldest (`_seq`) first; 'desc': newest first. */
  readonly order?: SortOrder;
}

// Set by Collection's static block: the one way to call its private constructor from outside the class.
let newCollection: <T extends object>(engine: DatabaseInternals, name: string) => Collection<T>;

/** A handle on the collection `name` of the database whose engine is `engine` (Database.collection's work). */
export function collectionHandle<T extends object>(engine: DatabaseInternals, name: string): Collection<T> {
  return newCollection<T>(engine, name);
}

/**
 * A named set of documents. Reads are synchronous and see every committed write; writes resolve once
 * they are durable (per the database's durability) and visible to reads. Expired documents (own expiry
 * passed, or the collection TTL ran out) are invisible to every read.
 */
export class Collection<T extends object = Record<string, unknown>> {
  readonly #engine: DatabaseInternals;
  readonly name: string;

  // Private, so the engine it takes is no part of the class's type: handles come from `db.collection(name)`.
  private constructor(engine: DatabaseInternals, name: string) {
    this.#engine = engine;
    this.name = name;
  }

  static {
    newCollection = <U extends object>(engine: DatabaseInternals, name: string) => new Collection<U>(engine, name);
  }

  /** The document at `key` with `_key` and `_v`, or undefined. Nested objects are frozen (shared with the engine). */
  get(key: string): ReadDoc<T> | undefined {
    this.#engine.assertOpen();
    const doc = liveDoc(this.#engine.state, this.name, checkKey(key), this.#engine);
    return doc === undefined ? undefined : (readView(doc) as ReadDoc<T>);
  }

  keys(): string[] {
    this.#engine.assertOpen();
    return liveKeys(this.#engine.state.collections.get(this.name), this.#engine.readTime());
  }

  count(): number {
    this.#engine.assertOpen();
    return liveCount(this.#engine.state.collections.get(this.name), this.#engine.readTime());
  }

  /**
   * Runs a query: MoltenDB's `/get` body without `collection` (keys, where, fields / excludedFields, sort,
   * order, count (1..1000, default 100), offset, joins). A single-string `keys` gives the document or
   * undefined, anything else an array. Indexes on the fields used are picked automatically. Throws
   * QueryError for an invalid query.
   */
  find(query: QueryInput & { keys: string }): ResultDoc | undefined;
  find(query?: QueryInput): ResultDoc[];
  find(query: QueryInput = {}): FindResult {
    this.#engine.assertOpen();
    const now = this.#engine.readTime();
    return executeFind(new StateSource(this.#engine.state, now), this.name, parseQuery(query), now);
  }

  /** Stores `doc` at `key`, replacing what was there (its expiry too). A `_v` in `doc` (or `expectedVersion`) must match the current version. */
  set(key: string, doc: T, options?: WriteOptions): Promise<WriteResult> {
    // Not async: the busiest write path, spared an async function's extra promise steps. A bad input still
    // rejects rather than throws.
    try {
      return this.#engine.commitOps([setOp(this.name, key, doc, options)], firstResult);
    } catch (error) {
      return Promise.reject(asError(error));
    }
  }

  /** Merges `patch` over the document's top-level fields (its expiry stays unless given). Throws DocumentNotFoundError when the key is absent. */
  async update(key: string, patch: Partial<T>, options?: WriteOptions): Promise<WriteResult> {
    const [entry] = await this.#engine.commitOps([updateOp(this.name, key, patch, options)]);
    return resultOf(entry as LogEntry);
  }

  /** Stores several documents atomically and returns their keys, in input order; `options` gives them all an expiry. */
  async insert(docs: InsertInput<T>, options?: ExpiryOptions): Promise<string[]> {
    const ops = insertOps(this.name, docs, options);
    await this.#engine.commitOps(ops);
    return ops.map((op) => (op as { key: string }).key);
  }

  /** Removes the document at `key`; resolves false when there was none. */
  async delete(key: string, options?: VersionGuard): Promise<boolean> {
    const [entry] = await this.#engine.commitOps([deleteOp(this.name, key, options)]);
    return entry !== undefined;
  }

  /** Removes the documents at `keys` atomically; resolves with how many existed. */
  async deleteMany(keys: readonly string[]): Promise<number> {
    const entries = await this.#engine.commitOps(deleteManyOps(this.name, keys));
    return entries.filter((entry) => entry !== undefined).length;
  }

  /**
   * Removes (atomically, in one commit) the documents matching `where`, at most `count`, oldest first (or
   * newest with `order: 'desc'`); resolves with how many. Throws QueryError for an invalid where or option.
   */
  async deleteWhere(where: WhereInput, options: DeleteWhereOptions = {}): Promise<number> {
    const parsed = parseWhere(where);
    const entries = await this.#engine.commitSelected(this.name, (now) =>
      selectForDelete(new StateSource(this.#engine.state, now), this.name, parsed, { ...options, now }).map((key) => deleteOp(this.name, key)),
    );
    return countWritten(entries);
  }

  /** Removes the `n` documents with the lowest `_seq` (the oldest inserted) in one commit; resolves with how many. */
  async deleteOldest(n: number): Promise<number> {
    const entries = await this.#engine.commitSelected(this.name, (now) =>
      oldestKeys(new StateSource(this.#engine.state, now), this.name, n).map((key) => deleteOp(this.name, key)),
    );
    return countWritten(entries);
  }

  /** Removes the collection with all its documents and settings (schema, indexes, TTL, maxSize); resolves false when it did not exist. */
  async drop(): Promise<boolean> {
    const [entry] = await this.#engine.commitOps([{ kind: 'drop', collection: this.name }]);
    return entry !== undefined;
  }

  /**
   * Maintains a secondary index on `field` (a dot path; system fields allowed) from now on, durably; queries
   * use it automatically. Built over the existing documents at once, and again (on first use) after a reopen.
   */
  async createIndex(field: string): Promise<void> {
    const path = checkField(field);
    await this.#setting('INDEX', path, {});
    this.#engine.state.collections.get(this.name)?.index(path);
  }

  /** Stops maintaining the index on `field`; resolves false when there was none. */
  async dropIndex(field: string): Promise<boolean> {
    const path = checkField(field);
    if (this.#engine.state.collections.get(this.name)?.indexes.has(path) !== true) return false;
    await this.#setting('INDEX', path, null);
    return true;
  }

  /** The indexed field paths. */
  indexes(): string[] {
    this.#engine.assertOpen();
    return [...(this.#engine.state.collections.get(this.name)?.indexes.keys() ?? [])];
  }

  /**
   * Validates every later write against this JSON schema (the user's fields only; system fields are not
   * shown to it), or stops validating with undefined. Documents already stored are not re-validated.
   * Throws SchemaError when the schema does not compile.
   */
  async setSchema(schema: object | undefined): Promise<void> {
    if (schema !== undefined) compileSchema(schema);
    await this.#setting('SCHEMA', '', schema === undefined ? null : (JSON.parse(JSON.stringify(schema)) as JsonValue));
  }

  /** The collection's JSON schema, if any. */
  schema(): JsonValue | undefined {
    this.#engine.assertOpen();
    return this.#engine.state.collections.get(this.name)?.schema;
  }

  /**
   * Collection TTL: once `seconds` pass without a document write (insert, set or update), every document
   * of the collection expires. Undefined removes it. Persisted.
   */
  async setTtl(seconds: number | undefined): Promise<void> {
    if (seconds !== undefined && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0)) {
      throw new InvalidInputError(`collection "${this.name}": ttl must be a positive number of seconds, got ${String(seconds)}`);
    }
    await this.#setting('CONFIG', 'ttl', seconds ?? null);
  }

  /**
   * Caps the collection at `n` documents: a write that takes it past `n` also deletes the lowest `_seq`
   * (oldest inserted) ones, in the same commit. Setting a cap below the current count evicts at once.
   * Undefined removes the cap. Persisted.
   */
  async setMaxSize(n: number | undefined): Promise<void> {
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) {
      throw new InvalidInputError(`collection "${this.name}": maxSize must be a positive integer, got ${String(n)}`);
    }
    await this.#setting('CONFIG', 'maxSize', n ?? null);
  }

  stats(): CollectionStats {
    this.#engine.assertOpen();
    return collectionStats(this.#engine.state.collections.get(this.name), this.#engine.readTime());
  }

  async #setting(cmd: 'SCHEMA' | 'INDEX' | 'CONFIG', key: string, value: JsonValue): Promise<void> {
    await this.#engine.commitOps([{ kind: 'setting', collection: this.name, cmd, key, value }]);
  }
}

function checkField(field: unknown): string {
  if (typeof field !== 'string' || toFieldPath(field).segments.some((segment) => segment === '')) {
    throw new InvalidInputError(`index field must be a dot path of non-empty names, got ${JSON.stringify(field)}`);
  }
  // The field is written into a log entry header as UTF-8, which cannot hold a lone surrogate.
  if (hasLoneSurrogate(field)) {
    throw new InvalidInputError(`index field ${JSON.stringify(field)} holds a lone UTF-16 surrogate (it is not well-formed Unicode)`);
  }
  return field;
}

function countWritten(entries: readonly (LogEntry | undefined)[]): number {
  return entries.filter((entry) => entry?.cmd === 'DELETE').length;
}

/** The result of a commit of one write. */
function firstResult(entries: readonly (LogEntry | undefined)[]): WriteResult {
  return resultOf(entries[0] as LogEntry);
}
