import type { Durability } from '@kilndb/doc-engine';
import { KilnError } from '@kilndb/wal-format';

/** Everything `startServer` needs; the CLI builds it from flags and `KILNDB_*` variables. */
export interface ServerConfig {
  /** The database directory (`--data`). */
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly durability: Durability;
  readonly encryptionKey: string | undefined;
  readonly rootUser: string;
  readonly rootPassword: string;
  /** HS256 secret for every token this server signs. */
  readonly jwtSecret: string;
  /** Lifetime of a token from `POST /login`, in seconds. */
  readonly rootTokenTtlSec: number;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** Allowed CORS origins; empty: no CORS headers. `['*']` allows any origin. */
  readonly corsOrigins: readonly string[];
  /** Requests per window per client address on the throttled routes. */
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;
  readonly maxBodyBytes: number;
  readonly maxKeysPerRequest: number;
  /** Take the client address from `X-Forwarded-For` (only behind a proxy you run). */
  readonly trustProxy: boolean;
  /**
   * Let a client writing alone have its commits fdatasync'd on the event loop (doc-engine's `inlineSync`).
   * Off by default here: the loop serves every client, and the thread-pool hop it saves is small next to
   * an HTTP round trip.
   */
  readonly inlineSync: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A token that may read `/metrics` besides admin tokens. */
  readonly metricsToken: string | undefined;
  /** A directory of built web assets served at `/` (KilnDB Studio). */
  readonly staticDir: string | undefined;
}

export const DEFAULT_PORT = 1538;

export const serverDefaults = {
  dataDir: './data',
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  durability: 'fsync',
  encryptionKey: undefined,
  rootTokenTtlSec: 86_400,
  tls: undefined,
  corsOrigins: [],
  rateLimitMax: 100,
  rateLimitWindowMs: 60_000,
  maxBodyBytes: 10 * 1024 * 1024,
  maxKeysPerRequest: 1000,
  trustProxy: false,
  inlineSync: false,
  logLevel: 'info',
  metricsToken: undefined,
  staticDir: undefined,
} as const satisfies Partial<ServerConfig>;

/** What a caller must give; everything else has a default. */
export type ServerConfigInput = Pick<ServerConfig, 'rootUser' | 'rootPassword' | 'jwtSecret'> & Partial<ServerConfig>;

/** A configuration value that cannot be used; `field` names it (as in ServerConfig). */
export class ConfigError extends KilnError {
  static override readonly kilnCode = 'KILN_CONFIG';
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`invalid server configuration: ${field} ${problem}`);
  }
}

/** Shortest JWT secret accepted: HS256 wants at least 256 bits of key. */
export const MIN_JWT_SECRET_LENGTH = 32;

const DURABILITIES: readonly string[] = ['fsync', 'flush', 'none'];
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Check = (value: unknown) => string | undefined;

const nonEmptyString: Check = (value) => (typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty string');
const optionalString: Check = (value) => (value === undefined ? undefined : nonEmptyString(value));
const boolean: Check = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');
const oneOf =
  (allowed: readonly string[]): Check =>
  (value) =>
    typeof value === 'string' && allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}`;
const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max ? undefined : `must be an integer from ${min} to ${max}`;

const CHECKS: { readonly [F in keyof ServerConfig]-?: Check } = {
  dataDir: nonEmptyString,
  host: nonEmptyString,
  port: integer(0, 65_535),
  durability: oneOf(DURABILITIES),
  encryptionKey: optionalString,
  rootUser: nonEmptyString,
  rootPassword: nonEmptyString,
  jwtSecret: (value) =>
    typeof value === 'string' && value.length >= MIN_JWT_SECRET_LENGTH ? undefined : `must be a string of at least ${MIN_JWT_SECRET_LENGTH} characters`,
  rootTokenTtlSec: integer(1),
  tls: (value) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null) return 'must be { cert, key } (paths of PEM files)';
    const { cert, key } = value as { cert?: unknown; key?: unknown };
    return nonEmptyString(cert) === undefined && nonEmptyString(key) === undefined ? undefined : 'needs both cert and key paths';
  },
  corsOrigins: (value) =>
    Array.isArray(value) && value.every((origin) => nonEmptyString(origin) === undefined) ? undefined : 'must be an array of origins (or ["*"])',
  rateLimitMax: integer(1),
  rateLimitWindowMs: integer(1),
  maxBodyBytes: integer(1),
  maxKeysPerRequest: integer(1),
  trustProxy: boolean,
  inlineSync: boolean,
  logLevel: oneOf(LOG_LEVELS),
  metricsToken: (value) =>
    value === undefined || (typeof value === 'string' && value.length >= 16) ? undefined : 'must be a string of at least 16 characters',
  staticDir: optionalString,
};

/**
 * The full configuration: `input` over the defaults, every field checked. Throws ConfigError naming the
 * first field that is missing, of the wrong type, out of range or unknown.
 */
export function resolveConfig(input: ServerConfigInput): ServerConfig {
  const config: Record<string, unknown> = { ...serverDefaults };
  for (const [field, value] of Object.entries(input)) {
    if (!Object.hasOwn(CHECKS, field)) throw new ConfigError(field, 'is not a configuration field');
    // An explicit undefined means "the default", as if the field were left out.
    if (value !== undefined) config[field] = value;
  }
  for (const [field, check] of Object.entries(CHECKS)) {
    const problem = check(config[field]);
    if (problem !== undefined) throw new ConfigError(field, problem);
  }
  return config as unknown as ServerConfig;
}
