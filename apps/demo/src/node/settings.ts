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
}

/** A variable that was set but does not make sense; the message names it. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export const DEFAULT_STUDIO_PORT = 1538;

/** Reads the settings from `env`; relative data paths resolve against `cwd`. */
export function readSettings(env: Readonly<Record<string, string | undefined>>, cwd: string): StudioSettings {
  const dataDir = nonEmpty(env, 'KILNDB_DATA') ?? './data';
  return {
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    host: nonEmpty(env, 'KILNDB_HOST') ?? '127.0.0.1',
    port: portOf(env),
    rootUser: nonEmpty(env, 'KILNDB_ROOT_USER'),
    rootPassword: nonEmpty(env, 'KILNDB_ROOT_PASSWORD'),
    jwtSecret: nonEmpty(env, 'KILNDB_JWT_SECRET'),
  };
}

function nonEmpty(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function portOf(env: Readonly<Record<string, string | undefined>>): number {
  const raw = nonEmpty(env, 'KILNDB_PORT');
  if (raw === undefined) return DEFAULT_STUDIO_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) throw new SettingsError(`KILNDB_PORT must be a port number from 0 to 65535, got "${raw}"`);
  return port;
}
