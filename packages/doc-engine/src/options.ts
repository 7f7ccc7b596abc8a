import type { Durability } from '@kilndb/payload-store/log';
import { nodeFileSystem, type FileSystem } from '@kilndb/snapshot';
import type { EncryptionKey } from './crypto/index.js';
import { InvalidOptionError } from './errors.js';
import type { DatabaseWarning } from './warnings.js';

/** A program compaction runs after each successful snapshot, with the snapshot's path as its last argument. */
export interface PostBackupHook {
  /** The executable; run through `execFile`, never a shell. */
  readonly command: string;
  /** Arguments before the snapshot path. */
  readonly args?: readonly string[];
  /** Killed after this long (default 60 000 ms). */
  readonly timeoutMs?: number;
}

export interface DatabaseOptions {
  /**
   * When a write resolves: `'fsync'` (default) once its log bytes are fdatasync'd (survives power loss);
   * `'flush'` once they are handed to the OS (survives a process crash); `'none'` at once, the bytes being
   * written at least every 50 ms in the background.
   */
  readonly durability?: Durability;
  /** Encrypts every log entry and snapshot entry (AES-256-GCM) under this passphrase or raw 32-byte key. */
  readonly encryptionKey?: EncryptionKey;
  /** Compact automatically once the live log segments hold more than this many bytes. Default 64 MiB; Infinity turns it off. */
  readonly compactThresholdBytes?: number;
  /** Snapshots kept in `backup/` besides the current one. Default 3. */
  readonly backupsToKeep?: number;
  /**
   * Move the log segments a compaction retires to `backup/log/` instead of deleting them, as long as a kept
   * backup needs them, so `recover` can reach any point since the oldest backup. Default false.
   */
  readonly retainLogSegments?: boolean;
  /** Run after every successful snapshot; a string is the command with no extra arguments. Failure is only a warning. */
  readonly postBackupHook?: string | PostBackupHook;
  /** Open for reading only: no lock is taken, nothing is repaired or written. */
  readonly readOnly?: boolean;
  /** Told about what the database worked around (torn tails, discarded transactions, failed background work). Default: process.emitWarning. */
  readonly onWarning?: (warning: DatabaseWarning) => void;
  /** The file system every I/O goes through (tests inject faults with it). */
  readonly fs?: FileSystem;
  /** Unix milliseconds for `_t`, `_createdAt` and `_modifiedAt` (tests pin time with it). Default Date.now. */
  readonly clock?: () => number;
  /**
   * Run `sweepExpired` every this many milliseconds on a timer that does not keep the process alive.
   * Default: no background sweep (expired documents are still invisible to reads).
   */
  readonly sweepIntervalMs?: number;
  /**
   * With `durability: 'fsync'`, a writer found committing alone on a quick disk fdatasyncs on the calling
   * thread, saving a thread-pool hop per commit (the event loop waits for that sync, under 1 ms on average);
   * back to the thread pool as soon as a second writer shows up. false keeps every fdatasync off the event
   * loop. Default true.
   */
  readonly inlineSync?: boolean;
}

export interface ResolvedOptions {
  readonly durability: Durability;
  readonly encryptionKey: EncryptionKey | undefined;
  readonly compactThresholdBytes: number;
  readonly backupsToKeep: number;
  readonly retainLogSegments: boolean;
  readonly postBackupHook: PostBackupHook | undefined;
  readonly readOnly: boolean;
  readonly onWarning: (warning: DatabaseWarning) => void;
  readonly fs: FileSystem;
  readonly clock: () => number;
  readonly sweepIntervalMs: number | undefined;
  readonly inlineSync: boolean;
}

export const DEFAULT_COMPACT_THRESHOLD_BYTES = 64 * 1024 * 1024;
export const DEFAULT_BACKUPS_TO_KEEP = 3;

/** Every option `Database.open` knows; any other name is refused, so a misspelt one is not silently ignored. */
const OPTION_NAMES: ReadonlySet<string> = new Set([
  'durability',
  'encryptionKey',
  'compactThresholdBytes',
  'backupsToKeep',
  'retainLogSegments',
  'postBackupHook',
  'readOnly',
  'onWarning',
  'fs',
  'clock',
  'sweepIntervalMs',
  'inlineSync',
]);

/**
 * Refuses an `encryptionKey` property that is there but holds no key (undefined, '' or an empty array), as
 * `{ encryptionKey: process.env.DB_KEY }` does with the variable unset: opening would otherwise create, or
 * accept, an unencrypted database. Other unusable keys are InvalidKeyErrors when the keyring is opened.
 */
export function checkEncryptionKeyOption(options: object): void {
  if (!Object.hasOwn(options, 'encryptionKey')) return;
  const key = (options as { encryptionKey?: unknown }).encryptionKey;
  const empty =
    key === undefined ? 'undefined' : key === '' ? 'an empty string' : key instanceof Uint8Array && key.length === 0 ? 'an empty array' : undefined;
  if (empty !== undefined) {
    throw new InvalidOptionError(
      'encryptionKey',
      `is given but ${empty} (an unset environment variable?); pass the key, or leave the option out for an unencrypted database`,
    );
  }
}

export function resolveOptions(options: DatabaseOptions): ResolvedOptions {
  if (typeof options !== 'object' || (options as unknown) === null) throw new InvalidOptionError('options', 'must be an object');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new InvalidOptionError(name, `is not an option of Database.open (known: ${[...OPTION_NAMES].join(', ')})`);
  }
  checkEncryptionKeyOption(options);
  const durability = options.durability ?? 'fsync';
  if (!['fsync', 'flush', 'none'].includes(durability)) {
    throw new InvalidOptionError('durability', `must be 'fsync', 'flush' or 'none', got ${JSON.stringify(durability)}`);
  }
  const compactThresholdBytes = options.compactThresholdBytes ?? DEFAULT_COMPACT_THRESHOLD_BYTES;
  if (typeof compactThresholdBytes !== 'number' || Number.isNaN(compactThresholdBytes) || compactThresholdBytes <= 0) {
    throw new InvalidOptionError('compactThresholdBytes', `must be a positive number of bytes (or Infinity), got ${String(compactThresholdBytes)}`);
  }
  const backupsToKeep = options.backupsToKeep ?? DEFAULT_BACKUPS_TO_KEEP;
  if (!Number.isSafeInteger(backupsToKeep) || backupsToKeep < 0) {
    throw new InvalidOptionError('backupsToKeep', `must be a non-negative integer, got ${String(backupsToKeep)}`);
  }
  for (const flag of ['retainLogSegments', 'readOnly', 'inlineSync'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new InvalidOptionError(flag, `must be a boolean, got ${typeof options[flag]}`);
    }
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new InvalidOptionError('clock', 'must be a function returning unix milliseconds');
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') throw new InvalidOptionError('onWarning', 'must be a function');
  const sweepIntervalMs = options.sweepIntervalMs;
  if (sweepIntervalMs !== undefined && (!Number.isSafeInteger(sweepIntervalMs) || sweepIntervalMs <= 0)) {
    throw new InvalidOptionError('sweepIntervalMs', `must be a positive integer number of milliseconds, got ${String(sweepIntervalMs)}`);
  }
  return {
    durability,
    encryptionKey: options.encryptionKey,
    compactThresholdBytes,
    backupsToKeep,
    retainLogSegments: options.retainLogSegments ?? false,
    postBackupHook: resolveHook(options.postBackupHook),
    readOnly: options.readOnly ?? false,
    onWarning: options.onWarning ?? emitWarning,
    fs: options.fs ?? nodeFileSystem,
    clock: options.clock ?? Date.now,
    sweepIntervalMs,
    inlineSync: options.inlineSync ?? true,
  };
}

function resolveHook(hook: string | PostBackupHook | undefined): PostBackupHook | undefined {
  if (hook === undefined) return undefined;
  const resolved = typeof hook === 'string' ? { command: hook } : hook;
  if (typeof resolved !== 'object' || typeof resolved.command !== 'string' || resolved.command.length === 0) {
    throw new InvalidOptionError('postBackupHook', 'must be a command path or { command, args?, timeoutMs? }');
  }
  if (resolved.args !== undefined && (!Array.isArray(resolved.args) || !resolved.args.every((a) => typeof a === 'string'))) {
    throw new InvalidOptionError('postBackupHook.args', 'must be an array of strings');
  }
  const timeoutMs = resolved.timeoutMs;
  if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)) {
    throw new InvalidOptionError('postBackupHook.timeoutMs', `must be a positive integer, got ${String(timeoutMs)}`);
  }
  return resolved;
}

function emitWarning(warning: DatabaseWarning): void {
  process.emitWarning(warning.message, { code: `KILNDB_${warning.code.toUpperCase().replaceAll('-', '_')}` });
}
