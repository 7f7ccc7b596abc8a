import { QueryError } from './errors.js';
import { DEFAULT_COUNT, MAX_COUNT } from './parse-query.js';
import { AccessPlanner, NOTHING, type KeyAccess, type QueryPlan, type QuerySource } from './planner.js';
import { project } from './projection.js';
import { compileSort, TopN, type Comparator } from './sort.js';
import { readPath, setOwn, toFieldPath } from './values.js';
import { compileWhere, type DocPredicate } from './where.js';
import type { JoinSpec, Query, ResultDoc, SortOrder, SortSpec, StoredDoc, Where } from './types.js';

const SEQ = toFieldPath('_seq');

export type FindResult = ResultDoc | undefined | ResultDoc[];

function isExpired(doc: StoredDoc, now: number): boolean {
  return doc._expiresAt !== undefined && doc._expiresAt <= now;
}

function whereFields(where: Where, into: string[]): string[] {
  if (where.kind === 'field') into.push(where.field.path);
  else for (const child of where.children) whereFields(child, into);
  return into;
}

/** One find/delete selection: fetching, joining, filtering and ordering documents of one collection. */
class Selection {
  private readonly predicate: DocPredicate | undefined;
  private readonly joinForFilter: boolean;
  /** Joined views → their base document (only used when where/sort read joined fields). */
  private readonly bases = new WeakMap<StoredDoc, StoredDoc>();
  private readonly planner: AccessPlanner;

  constructor(
    private readonly source: QuerySource,
    private readonly collection: string,
    private readonly where: Where | undefined,
    private readonly sort: readonly SortSpec[],
    private readonly joins: readonly JoinSpec[],
    private readonly now: number,
  ) {
    this.predicate = where === undefined ? undefined : compileWhere(where);
    const aliases = new Set(joins.map((join) => join.alias));
    this.planner = new AccessPlanner(source, collection, aliases);
    const referenced = [...(where === undefined ? [] : whereFields(where, [])), ...sort.map((spec) => spec.field.path)];
    this.joinForFilter = referenced.some((path) => aliases.has(path.split('.', 1)[0] as string));
  }

  /** The joined document for `join` (unprojected), or undefined when the reference does not resolve. */
  private joined(doc: StoredDoc, join: JoinSpec): StoredDoc | undefined {
    const key = readPath(doc, join.on.segments);
    if (typeof key !== 'string') return undefined;
    const target = this.source.get(join.from, key);
    return target === undefined || isExpired(target, this.now) ? undefined : target;
  }

  /** The document as where and sort see it: with each alias holding its joined document, or null. */
  private view(doc: StoredDoc): StoredDoc {
    if (!this.joinForFilter) return doc;
    const view: StoredDoc = { ...doc };
    for (const join of this.joins) setOwn(view, join.alias, this.joined(doc, join) ?? null);
    this.bases.set(view, doc);
    return view;
  }

  /** The view of `doc` if it is live and matches the where. */
  accept(doc: StoredDoc | undefined): StoredDoc | undefined {
    if (doc === undefined || isExpired(doc, this.now)) return undefined;
    const view = this.view(doc);
    return this.predicate === undefined || this.predicate(view) ? view : undefined;
  }

  acceptKey(key: string): StoredDoc | undefined {
    return this.accept(this.source.get(this.collection, key));
  }

  base(view: StoredDoc): StoredDoc {
    return this.bases.get(view) ?? view;
  }

  output(view: StoredDoc, query: Query): ResultDoc {
    const doc = this.base(view);
    const result = project(doc, query.projection);
    for (const join of this.joins) {
      const joined = this.joined(doc, join);
      setOwn(result, join.alias, joined === undefined ? null : project(joined, join.projection));
    }
    return result;
  }

  plan(limit: number): QueryPlan {
    const access = this.where === undefined ? undefined : this.planner.best(this.where);
    const [first] = this.sort;
    const orderIndex = first === undefined ? undefined : this.planner.indexFor(first.field.path);
    if (first !== undefined && orderIndex !== undefined) {
      const bounds = this.where === undefined ? undefined : this.planner.boundsOn(this.where, first.field.path);
      if (bounds === 'contradictory') return { kind: 'index-lookup', access: NOTHING };
      // A walk of the order index covers `walked` keys at most and, when the
      // best filter index selects `estimate` of `size` documents, reads about
      // limit * size / estimate of them. It wins unless the filter index reads
      // fewer; a filter on the sort field itself is the walked range, so the
      // bounded walk always wins then.
      const walked = bounds === undefined ? orderIndex.size : orderIndex.estimateRange(bounds);
      const walkCost = access === undefined ? 0 : Math.min(walked, (limit * orderIndex.size) / Math.max(access.estimate, 1));
      if (access === undefined || walkCost <= access.estimate) {
        const order = first.order;
        return bounds === undefined ? { kind: 'index-order', index: orderIndex, order } : { kind: 'index-order', index: orderIndex, order, bounds };
      }
    }
    return access === undefined ? { kind: 'scan' } : { kind: 'index-lookup', access };
  }

  /** The first `limit` matching views in sort order. */
  select(plan: QueryPlan, limit: number): StoredDoc[] {
    const compare: Comparator<StoredDoc> = compileSort(this.sort);
    switch (plan.kind) {
      case 'index-order':
        return this.walk(plan, limit, compare);
      case 'index-lookup': {
        const ordered = this.keysInSortOrder(plan.access);
        if (ordered !== undefined) return this.firstAccepted(ordered, limit);
        return this.collect(plan.access.keys(), limit, compare, (key) => this.acceptKey(key));
      }
      default:
        return this.collect(this.source.scan(this.collection), limit, compare, (doc) => this.accept(doc));
    }
  }

  /** The access's keys already in the sort order, when the sort is on `_seq` alone and the access keeps that order. */
  private keysInSortOrder(access: KeyAccess): Iterable<string> | undefined {
    const [first] = this.sort;
    if (this.sort.length !== 1 || first?.field.path !== '_seq') return undefined;
    return access.keysBySeq?.(first.order);
  }

  /** The first `limit` accepted views of keys that come in sort order: reads stop there. */
  private firstAccepted(keys: Iterable<string>, limit: number, into: StoredDoc[] = []): StoredDoc[] {
    if (into.length >= limit) return into;
    for (const key of keys) {
      const view = this.acceptKey(key);
      if (view !== undefined && into.push(view) >= limit) break;
    }
    return into;
  }

  private collect<T>(items: Iterable<T>, limit: number, compare: Comparator<StoredDoc>, accept: (item: T) => StoredDoc | undefined): StoredDoc[] {
    const top = new TopN(limit, compare);
    for (const item of items) {
      const view = accept(item);
      if (view !== undefined) top.push(view);
    }
    return top.sorted();
  }

  /**
   * Walks the sort field's index group by group (a group = keys tying on that
   * field), from and to the plan's bounds, and stops once `limit` results are
   * complete. When that field is the only sort key, a group's keys already
   * come in the tie rule's order, so only the keys needed are read; otherwise
   * the group goes through a heap of the places still open.
   */
  private walk(plan: QueryPlan & { kind: 'index-order' }, limit: number, compare: Comparator<StoredDoc>): StoredDoc[] {
    const results: StoredDoc[] = [];
    const byTies = this.sort.length === 1;
    for (const group of plan.index.orderedGroups(plan.order, plan.bounds, byTies)) {
      const needed = limit - results.length;
      if (needed <= 0) break;
      if (byTies && group.tieOrdered) {
        this.firstAccepted(group.keys, limit, results);
      } else {
        for (const view of this.collect(group.keys, needed, compare, (key) => this.acceptKey(key))) results.push(view);
      }
    }
    return results;
  }
}

function orderSpecs(query: Pick<Query, 'sort' | 'order'>): readonly SortSpec[] {
  return query.sort.length > 0 ? query.sort : [{ field: SEQ, order: query.order }];
}

function lookupKeys(source: QuerySource, collection: string, query: Query, keys: string | readonly string[], now: number): FindResult {
  const selection = new Selection(source, collection, query.where, [], query.joins, now);
  if (typeof keys === 'string') {
    const view = selection.acceptKey(keys);
    return view === undefined ? undefined : selection.output(view, query);
  }
  const results: ResultDoc[] = [];
  for (const key of new Set(keys)) {
    const view = selection.acceptKey(key);
    if (view !== undefined) results.push(selection.output(view, query));
  }
  return results;
}

/**
 * How executeFind will fetch candidates: direct key lookups, a full scan, a
 * filter index (the most selective usable one), or a walk of the sort field's
 * index in order.
 */
export function planFind(source: QuerySource, collection: string, query: Query): QueryPlan {
  if (query.keys !== undefined) return { kind: 'keys' };
  const selection = new Selection(source, collection, query.where, orderSpecs(query), query.joins, 0);
  return selection.plan(query.offset + query.count);
}

/**
 * Runs a parsed query against `source` at time `now` (unix ms; documents with
 * `_expiresAt <= now` are skipped, joined ones too). A single-string `keys`
 * returns the document or undefined; everything else returns an array.
 * Index use never changes the result: candidates are always re-checked
 * against the full where.
 */
export function executeFind(source: QuerySource, collection: string, query: Query, now: number): FindResult {
  if (query.keys !== undefined) return lookupKeys(source, collection, query, query.keys, now);
  const selection = new Selection(source, collection, query.where, orderSpecs(query), query.joins, now);
  const limit = query.offset + query.count;
  const views = selection.select(selection.plan(limit), limit);
  return views.slice(query.offset).map((view) => selection.output(view, query));
}

export interface DeleteSelectionOptions {
  /** How many documents at most; default 100, 1..1000. */
  count?: number;
  /** 'asc' (default) = oldest first by `_seq`, 'desc' = newest first. */
  order?: SortOrder;
  /** When given, documents expired at this time (unix ms) are not selected. */
  now?: number;
}

/**
 * Keys of the documents a `/delete` with `where` removes: the matching ones,
 * oldest first (`order: 'asc'`, the default) or newest first, at most `count`.
 */
export function selectForDelete(source: QuerySource, collection: string, where: Where, options: DeleteSelectionOptions = {}): string[] {
  const count = options.count ?? DEFAULT_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new QueryError('out-of-range', 'count', `must be an integer between 1 and ${MAX_COUNT}, got ${String(count)}`);
  }
  const order = options.order ?? 'asc';
  const selection = new Selection(source, collection, where, [{ field: SEQ, order }], [], options.now ?? -Infinity);
  return selection.select(selection.plan(count), count).map((doc) => doc._key);
}

/**
 * Keys of the `n` documents with the lowest `_seq` (capped-collection
 * eviction). Expired documents are included: they still occupy the collection.
 */
export function oldestKeys(source: QuerySource, collection: string, n: number): string[] {
  if (!Number.isInteger(n) || n < 0) throw new QueryError('out-of-range', 'n', `must be a non-negative integer, got ${String(n)}`);
  if (n === 0) return [];
  const selection = new Selection(source, collection, undefined, [{ field: SEQ, order: 'asc' }], [], -Infinity);
  return selection.select(selection.plan(n), n).map((doc) => doc._key);
}
