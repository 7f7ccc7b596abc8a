import type { Durability } from '@kilndb/doc-engine';
import { KilnError } from '@kilndb/wal-format';
import type { ServerConfig } from '../config.js';

/** A bad command-line value; the message is one line and names the flag (or variable) it came from. */
export class CliUsageError extends KilnError {
  static override readonly kilnCode = 'KILN_CLI_USAGE';
  override readonly name = 'CliUsageError';
}

/** Where a value came from, for error messages: `--port` or `--port (from KILNDB_PORT)`. */
export type ValueSource = string;

function fail(source: ValueSource, expected: string, raw: string): never {
  throw new CliUsageError(`${source}: ${expected}, got ${JSON.stringify(raw)}`);
}

export function parsePort(raw: string, source: ValueSource): number {
  const value = /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 65_535)) fail(source, 'must be a port number 0..65535 (0 picks a free port)', raw);
  return value;
}

export function parsePositiveInt(raw: string, source: ValueSource): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) fail(source, 'must be a positive integer', raw);
  return value;
}

export function parseNonNegativeInt(raw: string, source: ValueSource): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value)) fail(source, 'must be a non-negative integer', raw);
  return value;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `10485760`, `512KiB`, `10MiB`, `1g` (units are binary: k = 1024). */
export function parseBytes(raw: string, source: ValueSource): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = BYTE_UNITS[unit];
  const value = match?.[1] === undefined || factor === undefined ? NaN : Math.floor(Number(match[1]) * factor);
  if (!Number.isSafeInteger(value) || value < 1) fail(source, 'must be a positive size in bytes (e.g. 10485760 or 10MiB)', raw);
  return value;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in milliseconds: a bare number is seconds (MoltenDB's unit); `500ms`, `60s`, `5m`, `1h`, `1d`. */
export function parseDurationMs(raw: string, source: ValueSource): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(raw.trim());
  const factor = DURATION_UNITS[match?.[2]?.toLowerCase() ?? ''];
  const value = match?.[1] === undefined || factor === undefined ? NaN : Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(value) || value < 1) fail(source, 'must be a positive duration (seconds, or 500ms, 60s, 5m, 1h, 1d)', raw);
  return value;
}

const DURABILITIES: readonly Durability[] = ['fsync', 'flush', 'none'];

export function parseDurability(raw: string, source: ValueSource): Durability {
  const value = raw.trim().toLowerCase();
  const found = DURABILITIES.find((d) => d === value);
  if (found === undefined) fail(source, "must be 'fsync', 'flush' or 'none'", raw);
  return found;
}

const LOG_LEVELS: readonly ServerConfig['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseLogLevel(raw: string, source: ValueSource): ServerConfig['logLevel'] {
  const value = raw.trim().toLowerCase();
  const found = LOG_LEVELS.find((level) => level === value);
  if (found === undefined) fail(source, `must be one of ${LOG_LEVELS.join(', ')}`, raw);
  return found;
}

/** An environment switch: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (any case); empty is off. */
export function parseSwitch(raw: string, source: ValueSource): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false;
  fail(source, 'must be true or false (1/0, yes/no, on/off)', raw);
}

/** Comma-separated origins; `*` alone allows any origin. */
export function parseOrigins(raw: string, source: ValueSource): string[] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  if (origins.length === 0) fail(source, "must list at least one origin (comma-separated), or '*'", raw);
  if (origins.includes('*') && origins.length > 1) fail(source, "'*' allows any origin and cannot be mixed with others", raw);
  return origins;
}

export function parseNonEmpty(raw: string, source: ValueSource): string {
  if (raw.length === 0) fail(source, 'must not be empty', raw);
  return raw;
}

/** A recovery target time: an ISO 8601 date-time or unix milliseconds. */
export function parseTime(raw: string, source: ValueSource): number {
  const text = raw.trim();
  const value = /^\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isSafeInteger(value)) fail(source, 'must be an ISO 8601 time (2026-11-21T09:00:00Z) or unix milliseconds', raw);
  return value;
}
