import type { Durability } from '@kilndb/doc-engine';

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
  logLevel: 'info',
  metricsToken: undefined,
  staticDir: undefined,
} as const satisfies Partial<ServerConfig>;

/** What a caller must give; everything else has a default. */
export type ServerConfigInput = Pick<ServerConfig, 'rootUser' | 'rootPassword' | 'jwtSecret'> & Partial<ServerConfig>;

export function resolveConfig(input: ServerConfigInput): ServerConfig {
  return { ...serverDefaults, ...input };
}
