/**
 * The brand every KilnDB error carries. `Symbol.for` gives one symbol per runtime, so an error made by another
 * installed copy of a KilnDB package (packages are versioned apart, so an app can end up with two) still
 * carries the key this copy checks, where `instanceof` would fail silently.
 */
const KILN_ERROR = Symbol.for('kilndb.error');

/** An error class of KilnDB: `kilnCode` is its stable code, the same on the class and on each instance. */
export interface KilnErrorClass<T extends KilnError = KilnError> {
  readonly kilnCode: string;
  readonly prototype: T;
}

/**
 * The base of every KilnDB error. `kilnCode` is stable per class (`KILN_LOG_CLOSED`, ...), so callers can
 * branch on it across package copies and versions; `code` is left to its usual meaning (an errno, or a
 * class's own detail such as `QueryError.code`). Errors that are `TypeError`s or `RangeError`s extend
 * `KilnTypeError` or `KilnRangeError` instead; `instanceof KilnError` and `isKilnError` hold for all three.
 */
export abstract class KilnError extends Error {
  static readonly kilnCode: string = 'KILN_ERROR';
  readonly kilnCode: string = classCode(this);

  // `instanceof KilnError` goes by the brand, so it also holds for KilnTypeError, KilnRangeError and
  // other copies' errors; `instanceof` a subclass stays the ordinary prototype check.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === KilnError ? isKilnError(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** A KilnDB error that is also a `TypeError` (a value of the wrong kind). */
export abstract class KilnTypeError extends TypeError {
  static readonly kilnCode: string = 'KILN_TYPE_ERROR';
  readonly kilnCode: string = classCode(this);
}

/** A KilnDB error that is also a `RangeError` (a value outside what can be represented). */
export abstract class KilnRangeError extends RangeError {
  static readonly kilnCode: string = 'KILN_RANGE_ERROR';
  readonly kilnCode: string = classCode(this);
}

/** The code of the class `error` was made by (each class sets its own static `kilnCode`). */
function classCode(error: Error): string {
  return (error.constructor as unknown as KilnErrorClass).kilnCode;
}

for (const base of [KilnError, KilnTypeError, KilnRangeError]) {
  Object.defineProperty(base.prototype, KILN_ERROR, { value: true });
}

/** Whether `value` is an error of any KilnDB package, from this copy or another one. */
export function isKilnError(value: unknown): value is KilnError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[KILN_ERROR] === true &&
    typeof (value as { kilnCode?: unknown }).kilnCode === 'string'
  );
}

/**
 * Whether `value` is a KilnDB error of the class given (by the class or its `kilnCode`): the check that
 * still works when the error comes from another copy of the package. It matches that class only, not its
 * subclasses, which have codes of their own.
 */
export function hasErrorCode<T extends KilnError>(value: unknown, errorClass: KilnErrorClass<T>): value is T;
export function hasErrorCode(value: unknown, code: string): value is KilnError;
export function hasErrorCode(value: unknown, codeOrClass: string | KilnErrorClass): boolean {
  const code = typeof codeOrClass === 'string' ? codeOrClass : codeOrClass.kilnCode;
  return isKilnError(value) && value.kilnCode === code;
}

/** `value` if it is an Error, else an Error whose message is `value` as text (for a `catch` of `unknown`). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
