import { StoreOptionError } from './errors.js';

/** Every option `PayloadStore.open` knows; any other name is refused, so a misspelt one is not silently ignored. */
const OPTION_NAMES: ReadonlySet<string> = new Set([
  'durability',
  'snapshotThresholdBytes',
  'autoCompactDeadRatio',
  'autoCompactMinBytes',
  'flushIntervalMs',
  'inlineSync',
  'readOnly',
  'fs',
  'onWarning',
]);
const DURABILITIES: readonly unknown[] = ['fsync', 'flush', 'none'];
/** The methods a `FileSystem` must have (see @kilndb/snapshot). */
const FILE_SYSTEM_METHODS = ['open', 'readFile', 'rename', 'unlink', 'readdir', 'mkdir', 'stat', 'syncDirectory'] as const;
/** setTimeout's longest delay; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks the options of `PayloadStore.open`, throwing a StoreOptionError that names the first one that is
 * unknown, of the wrong type or out of range. An option set to undefined counts as not given.
 */
export function checkStoreOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new StoreOptionError('options', `must be an object, got ${describe(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!OPTION_NAMES.has(name)) throw new StoreOptionError(name, `is not an option of PayloadStore.open (known: ${[...OPTION_NAMES].join(', ')})`);
  }
  const { durability, snapshotThresholdBytes, autoCompactDeadRatio, autoCompactMinBytes, flushIntervalMs, inlineSync, readOnly, fs, onWarning } = given;
  if (durability !== undefined && !DURABILITIES.includes(durability)) {
    throw new StoreOptionError('durability', `must be 'fsync', 'flush' or 'none', got ${describe(durability)}`);
  }
  if (snapshotThresholdBytes !== undefined && !(typeof snapshotThresholdBytes === 'number' && snapshotThresholdBytes > 0)) {
    throw new StoreOptionError('snapshotThresholdBytes', `must be a positive number of bytes (or Infinity), got ${describe(snapshotThresholdBytes)}`);
  }
  if (autoCompactDeadRatio !== undefined && !(typeof autoCompactDeadRatio === 'number' && autoCompactDeadRatio > 0 && autoCompactDeadRatio <= 1)) {
    throw new StoreOptionError('autoCompactDeadRatio', `must be a share of the log, 0 < ratio ≤ 1, got ${describe(autoCompactDeadRatio)}`);
  }
  if (autoCompactMinBytes !== undefined && !(typeof autoCompactMinBytes === 'number' && autoCompactMinBytes >= 0)) {
    throw new StoreOptionError('autoCompactMinBytes', `must be a non-negative number of bytes, got ${describe(autoCompactMinBytes)}`);
  }
  if (flushIntervalMs !== undefined && !(typeof flushIntervalMs === 'number' && flushIntervalMs > 0 && flushIntervalMs <= MAX_TIMER_MS)) {
    throw new StoreOptionError('flushIntervalMs', `must be a positive number of milliseconds up to ${MAX_TIMER_MS}, got ${describe(flushIntervalMs)}`);
  }
  if (inlineSync !== undefined && typeof inlineSync !== 'boolean') throw new StoreOptionError('inlineSync', `must be a boolean, got ${describe(inlineSync)}`);
  if (readOnly !== undefined && typeof readOnly !== 'boolean') throw new StoreOptionError('readOnly', `must be a boolean, got ${describe(readOnly)}`);
  if (onWarning !== undefined && typeof onWarning !== 'function') throw new StoreOptionError('onWarning', `must be a function, got ${describe(onWarning)}`);
  if (fs !== undefined) {
    if (typeof fs !== 'object' || fs === null) throw new StoreOptionError('fs', `must be a FileSystem object, got ${describe(fs)}`);
    const missing = FILE_SYSTEM_METHODS.find((method) => typeof (fs as Record<string, unknown>)[method] !== 'function');
    if (missing !== undefined) throw new StoreOptionError('fs', `must be a FileSystem (from @kilndb/snapshot): it has no ${missing} method`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
