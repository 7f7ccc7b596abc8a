import type { RangeBounds, SecondaryIndex } from './secondary-index.js';
import type { FieldCondition, RangeOperator, SortOrder, SortSpec, StoredDoc, Where } from './types.js';

/** What the query layer needs from the engine; it never does I/O itself. */
export interface QuerySource {
  /** The live document with `_key` set, or undefined. Expiry is checked by the caller. */
  get(collection: string, key: string): StoredDoc | undefined;
  /** Every document of the collection, in any order. */
  scan(collection: string): Iterable<StoredDoc>;
  /** The index on exactly this field path, if the engine maintains one. */
  index(collection: string, field: string): SecondaryIndex | undefined;
}

/** A way to get a superset of the matching keys without scanning. */
export interface KeyAccess {
  /** Expected number of keys. */
  readonly estimate: number;
  /** Human-readable, for plans: e.g. `index age $gt` or `$or of 2`. */
  readonly description: string;
  keys(): Iterable<string>;
  /** The same keys ordered as a sort on `_seq` in `order` is, when the access can give them so cheaply. */
  keysBySeq?(order: SortOrder): Iterable<string> | undefined;
}

export type QueryPlan =
  | { readonly kind: 'keys' }
  | { readonly kind: 'scan' }
  | { readonly kind: 'index-lookup'; readonly access: KeyAccess }
  | {
      readonly kind: 'index-order';
      readonly index: SecondaryIndex;
      readonly order: SortSpec['order'];
      /** Where the walk starts and ends, from the where's conditions on the sort field. */
      readonly bounds?: RangeBounds;
    };

const RANGE_OPERATORS: ReadonlySet<string> = new Set<RangeOperator>(['gt', 'gte', 'lt', 'lte']);

type RangeCondition = FieldCondition & { op: RangeOperator };

function isRange(condition: FieldCondition): condition is RangeCondition {
  return RANGE_OPERATORS.has(condition.op);
}

/** Conditions an AND node imposes directly, with nested ANDs flattened into it. */
function conjuncts(where: Where): Where[] {
  return where.kind === 'and' ? where.children.flatMap(conjuncts) : [where];
}

/**
 * Merges range conditions on one field into bounds, keeping the tightest bound
 * per operator. Undefined when two bounds have different types, which no value
 * can satisfy.
 */
function mergeRanges(conditions: readonly RangeCondition[]): RangeBounds | undefined {
  const bounds: RangeBounds = {};
  for (const { op, value } of conditions) {
    const current = bounds[op];
    if (current === undefined) {
      bounds[op] = value;
    } else if (typeof current !== typeof value) {
      return undefined;
    } else {
      const keepLarger = op === 'gt' || op === 'gte';
      if (keepLarger ? value > current : value < current) bounds[op] = value;
    }
  }
  return bounds;
}

export const NOTHING: KeyAccess = { estimate: 0, description: 'contradictory ranges', keys: () => [] };

export class AccessPlanner {
  constructor(
    private readonly source: QuerySource,
    private readonly collection: string,
    /** Join aliases: conditions on `alias.…` refer to joined documents, which no index of this collection covers. */
    private readonly aliases: ReadonlySet<string>,
  ) {}

  /** The cheapest key access able to answer `where`, or undefined when only a scan can. */
  best(where: Where): KeyAccess | undefined {
    if (where.kind === 'or') return this.union(where.children);
    let best: KeyAccess | undefined;
    const ranges = new Map<string, RangeCondition[]>();
    for (const part of conjuncts(where)) {
      let access: KeyAccess | undefined;
      if (part.kind === 'or') {
        access = this.union(part.children);
      } else if (part.kind === 'field' && isRange(part.condition)) {
        const list = ranges.get(part.field.path) ?? [];
        list.push(part.condition);
        ranges.set(part.field.path, list);
      } else if (part.kind === 'field') {
        access = this.field(part.field.path, part.condition);
      }
      if (access !== undefined && (best === undefined || access.estimate < best.estimate)) best = access;
    }
    for (const [path, conditions] of ranges) {
      const access = this.range(path, conditions);
      if (access !== undefined && (best === undefined || access.estimate < best.estimate)) best = access;
    }
    return best;
  }

  /**
   * The bounds `where`'s AND puts on `path`: its range conditions there, and
   * equality to a number or string (one value is a range too). Undefined when
   * there are none; 'contradictory' when no value meets them all.
   */
  boundsOn(where: Where, path: string): RangeBounds | 'contradictory' | undefined {
    const conditions: RangeCondition[] = [];
    for (const part of conjuncts(where)) {
      if (part.kind !== 'field' || part.field.path !== path) continue;
      const { condition } = part;
      if (isRange(condition)) {
        conditions.push(condition);
      } else if (condition.op === 'eq' && (typeof condition.value === 'number' || typeof condition.value === 'string')) {
        conditions.push({ op: 'gte', value: condition.value }, { op: 'lte', value: condition.value });
      }
    }
    if (conditions.length === 0) return undefined;
    return mergeRanges(conditions) ?? 'contradictory';
  }

  /** The index usable for `path`, unless the path points into a joined document. */
  indexFor(path: string): SecondaryIndex | undefined {
    const root = path.split('.', 1)[0] as string;
    return this.aliases.has(root) ? undefined : this.source.index(this.collection, path);
  }

  private field(path: string, condition: FieldCondition): KeyAccess | undefined {
    if (path === '_key' && condition.op === 'eq' && typeof condition.value === 'string') {
      const key = condition.value;
      return { estimate: 1, description: 'key lookup', keys: () => [key] };
    }
    const index = this.indexFor(path);
    if (index === undefined) return undefined;
    if (condition.op === 'eq') {
      const { value } = condition;
      return {
        estimate: index.countLookup(value),
        description: `index ${path} $eq`,
        keys: () => index.lookup(value),
        keysBySeq: (order) => index.lookupBySeq(value, order),
      };
    }
    if (condition.op === 'in') {
      const { values } = condition;
      return { estimate: index.countLookupIn(values), description: `index ${path} $in`, keys: () => index.lookupIn(values) };
    }
    return undefined;
  }

  private range(path: string, conditions: readonly RangeCondition[]): KeyAccess | undefined {
    const index = this.indexFor(path);
    if (index === undefined) return undefined;
    const bounds = mergeRanges(conditions);
    if (bounds === undefined) return NOTHING;
    const operators = Object.keys(bounds).map((op) => `$${op}`).join(' ');
    return { estimate: index.estimateRange(bounds), description: `index ${path} ${operators}`, keys: () => index.range(bounds) };
  }

  /** `$or` is index-answerable only when every branch is; the keys are the union, each once. */
  private union(branches: readonly Where[]): KeyAccess | undefined {
    const accesses: KeyAccess[] = [];
    for (const branch of branches) {
      const access = this.best(branch);
      if (access === undefined) return undefined;
      accesses.push(access);
    }
    return {
      estimate: accesses.reduce((sum, access) => sum + access.estimate, 0),
      description: `$or of (${accesses.map((access) => access.description).join(', ')})`,
      keys: () => {
        const union = new Set<string>();
        for (const access of accesses) for (const key of access.keys()) union.add(key);
        return union;
      },
    };
  }
}
