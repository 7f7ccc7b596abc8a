/**
 * Deeper nesting is refused. It bounds every walk of a value (here, in JSON.stringify and JSON.parse) far
 * below the stack limit, so a deep value is a typed error instead of a stack overflow.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * What is wrong with a part of a value:
 * - `not-finite`: NaN or ±Infinity (JSON would store null);
 * - `bigint`: a BigInt (JSON.stringify throws);
 * - `not-json`: undefined, a function or a symbol (JSON drops it from an object, stores null in an array);
 * - `hole`: a hole in a sparse array (JSON would store null);
 * - `not-plain`: an object whose prototype is neither Object.prototype nor null: a Map, Set, typed array,
 *   Date, class instance... (JSON would keep only its own enumerable fields, or call its toJSON);
 * - `cycle`: an object that contains itself;
 * - `too-deep`: nesting deeper than MAX_JSON_DEPTH.
 */
export type JsonFaultKind = 'not-finite' | 'bigint' | 'not-json' | 'hole' | 'not-plain' | 'cycle' | 'too-deep';

/** The first part of a value that would not come back from JSON as it went in. */
export interface JsonFault {
  /** Keys and indexes from the value walked down to the part ([] for the value itself). */
  readonly path: readonly (string | number)[];
  readonly kind: JsonFaultKind;
  /** The part, described: `NaN`, `undefined`, `a function`, `a Map`, `an object`... */
  readonly what: string;
  /** Why, phrased to follow the part's name: `is NaN, which JSON cannot hold (it would store null)`. */
  readonly reason: string;
}

export interface JsonWalkOptions {
  /** Nesting depth of the value itself, for the depth limit (a document's fields are at 1). Default 0. */
  readonly depth?: number;
  /** The object holding the value, when the caller walks that object's members itself: a reference back to it is a cycle. */
  readonly parent?: object;
}

/**
 * The first part of `value` that JSON.stringify would throw on, drop or change (see JsonFaultKind), or
 * undefined when `JSON.parse(JSON.stringify(value))` gives back an equal value (-0 aside: JSON writes it as 0).
 * Allocates nothing on the way but the key lists.
 */
export function findJsonFault(value: unknown, options: JsonWalkOptions = {}): JsonFault | undefined {
  const walk = new Walk(false, options.parent);
  return walk.visit(value, options.depth ?? 0) === FAULT ? walk.fault() : undefined;
}

/**
 * Checks `value` as `findJsonFault` does and copies it: every array and object of the copy is new and
 * frozen, and -0 becomes 0 (as it reads back from JSON), so what the caller keeps is what a reopen reads.
 */
export function copyJsonValue(value: unknown, options: JsonWalkOptions = {}): { readonly copy: unknown } | { readonly fault: JsonFault } {
  // Most document fields are strings, numbers and booleans: those need no walk (and its lists).
  const primitive = copyJsonPrimitive(value);
  if (primitive !== undefined) return { copy: primitive };
  // So are many arrays (tags, a list of ids): copied in one loop, without the walk's lists.
  const flat = (options.depth ?? 0) <= MAX_JSON_DEPTH ? copyFlatArray(value) : undefined;
  if (flat !== undefined) return { copy: flat };
  const walk = new Walk(true, options.parent);
  const copy = walk.visit(value, options.depth ?? 0);
  return copy === FAULT ? { fault: walk.fault() } : { copy };
}

/** The phrase for a part found at `path`, JSONPath style: `$.a.b[2]`, `$["odd key"]`. */
export function jsonPathOf(path: readonly (string | number)[]): string {
  let at = '$';
  for (const part of path) {
    at += typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  }
  return at;
}

/** Names a value for a message: `null`, `an array`, `a Map`, `a Point`, `a function`, `a bigint`. */
export function describeJsonPart(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
  }
  if (typeof value === 'function') return 'a function';
  return `a ${typeof value}`;
}

/** V8 copies concatenations and slices shorter than this into new strings (ConsString and SlicedString minimum length). */
const STRING_TREE_MIN_LENGTH = 13;

/**
 * A string equal to `text` that holds its own characters in one run. A string built by concatenation is a
 * tree of its parts, and a slice (`slice`, `substring`, `split`...) keeps the whole string it came from
 * alive; a kept copy must be neither, as a string JSON.parse returns is not. Costs one copy of the characters.
 */
export function freshString(text: string): string {
  if (text.length < STRING_TREE_MIN_LENGTH) return text;
  // A new two-part string of the characters, then converted to a number (which fails): V8 copies the parts
  // into one new run for that, and the GC then drops the two-part shell. The number is stored, not dropped:
  // the optimising compiler removed an unused `Number(copy)`, and the copy then kept its source alive.
  const copy = text.charAt(0) + text.substring(1);
  flattened.asNumber = Number(copy);
  return copy;
}

/** Where `freshString` leaves the number its copy converts to (always NaN), so the conversion is not optimised away. */
const flattened = { asNumber: 0 };

/** Strings up to this length are shared through `RECENT_SHORT_STRINGS`. */
const SHARED_STRING_MAX_LENGTH = 16;
const RECENT_SLOTS = 4096;
/** The last short string seen per hash slot (a bounded cache: a collision replaces the older string). */
const RECENT_SHORT_STRINGS: (string | undefined)[] = new Array<string | undefined>(RECENT_SLOTS);

/**
 * The string a kept copy holds for `text`: a fresh one, and for a short one, the same string as the last
 * equal one copied, so repeated values (a status, a city, a tag) share one string as they do in what
 * JSON.parse gives back. Without both, documents built in code took about a sixth more memory than parsed
 * ones, and a document holding a slice of a large text kept the whole text alive.
 */
function keptString(text: string): string {
  if (text.length > SHARED_STRING_MAX_LENGTH) return freshString(text);
  let hash = text.length;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  const slot = hash & (RECENT_SLOTS - 1);
  const seen = RECENT_SHORT_STRINGS[slot];
  if (seen === text) return seen;
  const kept = freshString(text);
  RECENT_SHORT_STRINGS[slot] = kept;
  return kept;
}

/**
 * A frozen copy of `value` when it is an array of JSON strings, numbers, booleans and null (no holes), as
 * the walk would copy it; undefined for anything else, which the walk then copies or names.
 */
function copyFlatArray(value: unknown): readonly unknown[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) return undefined;
    const item = copyJsonPrimitive(value[i]);
    if (item === undefined) return undefined;
    out[i] = item;
  }
  return Object.freeze(out);
}

/**
 * Whether a for-in walk of plain object `value` (prototype Object.prototype or null) must check that each
 * name is its own: for-in also walks inherited enumerable names, which only a polluted Object.prototype
 * has. The hot walks use for-in because, unlike Object.keys, it makes no array of the names.
 */
export function ownNamesNeedCheck(value: object): boolean {
  if (Object.getPrototypeOf(value) === null) return false;
  // The first name found answers; Object.prototype usually has none, so the loop does not run.
  for (const _name in Object.prototype) return true;
  return false;
}

/** Returned up the walk once a fault is found; the walk's fields say what and where. */
const FAULT: unique symbol = Symbol('json fault');

/**
 * `value` as `copyJsonValue` copies it (strings flat and shared, -0 as 0) when it is a JSON string, boolean,
 * finite number or null; undefined for anything else (objects and arrays, which need the walk, and what JSON
 * cannot hold, which the walk names). Needs no walk, so callers copying many members can skip one for these.
 */
export function copyJsonPrimitive(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return keptString(value);
    case 'boolean':
      return value;
    case 'number':
      return !Number.isFinite(value) ? undefined : value === 0 ? 0 : value;
    default:
      return value === null ? null : undefined;
  }
}

class Walk {
  private readonly ancestors: object[];
  private kind: JsonFaultKind = 'not-json';
  private what = '';
  private reason = '';
  /** Filled innermost first as the walk unwinds. */
  private readonly reversedPath: (string | number)[] = [];

  constructor(
    private readonly copy: boolean,
    parent: object | undefined,
  ) {
    this.ancestors = parent === undefined ? [] : [parent];
  }

  fault(): JsonFault {
    return { path: this.reversedPath.reverse(), kind: this.kind, what: this.what, reason: this.reason };
  }

  visit(value: unknown, depth: number): unknown {
    if (this.copy) {
      const primitive = copyJsonPrimitive(value);
      if (primitive !== undefined) return primitive;
    }
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (!Number.isFinite(value)) return this.fail('not-finite', String(value), 'which JSON cannot hold (it would store null)');
        return value;
      case 'bigint':
        return this.fail('bigint', 'a bigint', 'which JSON cannot hold (store it as a string or a number)');
      case 'object':
        break;
      default:
        return this.fail('not-json', describeJsonPart(value), 'which JSON cannot hold');
    }
    if (value === null) return null;
    if (this.ancestors.includes(value)) {
      return this.failWith('cycle', describeJsonPart(value), `refers back to an object that contains it: a cycle, which nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (depth > MAX_JSON_DEPTH) return this.failWith('too-deep', describeJsonPart(value), `nests deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(value)) return this.visitArray(value, depth);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const what = describeJsonPart(value);
      return this.failWith('not-plain', what, `is ${what}, not a plain JSON object`);
    }
    return this.visitObject(value as Record<string, unknown>, depth);
  }

  private visitArray(value: readonly unknown[], depth: number): unknown {
    this.ancestors.push(value);
    const out: unknown[] | undefined = this.copy ? new Array<unknown>(value.length) : undefined;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) {
        this.failWith('hole', 'a hole', 'is a hole in a sparse array');
        this.reversedPath.push(i);
        return FAULT;
      }
      const item = this.visit(value[i], depth + 1);
      if (item === FAULT) {
        this.reversedPath.push(i);
        return FAULT;
      }
      if (out !== undefined) out[i] = item;
    }
    this.ancestors.pop();
    return out === undefined ? value : Object.freeze(out);
  }

  private visitObject(value: Record<string, unknown>, depth: number): unknown {
    this.ancestors.push(value);
    const out: Record<string, unknown> | undefined = this.copy ? {} : undefined;
    // for-in makes no array of the names; see ownNamesNeedCheck.
    const checkOwn = ownNamesNeedCheck(value);
    for (const name in value) {
      if (checkOwn && !Object.hasOwn(value, name)) continue;
      const member = this.visit(value[name], depth + 1);
      if (member === FAULT) {
        this.reversedPath.push(name);
        return FAULT;
      }
      // Plain assignment to "__proto__" would replace the prototype instead of adding a field.
      if (out === undefined) continue;
      if (name === '__proto__') Object.defineProperty(out, name, { value: member, enumerable: true, writable: true, configurable: true });
      else out[name] = member;
    }
    this.ancestors.pop();
    return out === undefined ? value : Object.freeze(out);
  }

  /** A fault whose reason reads `is <what>, <tail>`. */
  private fail(kind: JsonFaultKind, what: string, tail: string): typeof FAULT {
    return this.failWith(kind, what, `is ${what}, ${tail}`);
  }

  private failWith(kind: JsonFaultKind, what: string, reason: string): typeof FAULT {
    this.kind = kind;
    this.what = what;
    this.reason = reason;
    return FAULT;
  }
}

// The writer of checked values as JSON bytes is part of this subpath too.
export { JsonByteWriter, MAX_JSON_BYTES } from './json-bytes.js';
