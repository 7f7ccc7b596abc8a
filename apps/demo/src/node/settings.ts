import { isAbsolute, resolve } from 'node:path';

/** What `pnpm start` runs with: defaults, each overridable by a `KILNDB_*` variable. */
export interface StudioSettings {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Undefined: use (or create) the dev credentials kept in the data directory. */
  readonly rootUser: string | undefined;
  readonly rootPassword: string | undefined;
  readonly jwtSecret: string | undefined;
  /** Requests per minute per client address on the rate-limited routes. */
  readonly rateLimit: number;
}

/** A variable that was set but does not make sense; the message names it. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export const DEFAULT_STUDIO_PORT = 1538;
/**
 * The console is one client making many small requests (every page view, every refresh after a write), so
 * Studio allows ten times the server's default of 100 a minute; KILNDB_RATE_LIMIT sets it.
 */
export const DEFAULT_STUDIO_RATE_LIMIT = 1000;

/** Reads the settings from `env`; relative data paths resolve against `cwd`. */
export function readSettings(env: Readonly<Record<string, string | undefined>>, cwd: string): StudioSettings {
  const dataDir = nonEmpty(env, 'KILNDB_DATA') ?? './data';
  return {
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    host: nonEmpty(env, 'KILNDB_HOST') ?? '127.0.0.1',
    port: wholeNumber(env, 'KILNDB_PORT', DEFAULT_STUDIO_PORT, 0, 65_535),
    rootUser: nonEmpty(env, 'KILNDB_ROOT_USER'),
    rootPassword: nonEmpty(env, 'KILNDB_ROOT_PASSWORD'),
    jwtSecret: nonEmpty(env, 'KILNDB_JWT_SECRET'),
    rateLimit: wholeNumber(env, 'KILNDB_RATE_LIMIT', DEFAULT_STUDIO_RATE_LIMIT, 1, Number.MAX_SAFE_INTEGER),
  };
}

function nonEmpty(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new SettingsError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}
