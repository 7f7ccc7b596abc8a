import { randomBytes } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { ConfigError, MIN_JWT_SECRET_LENGTH, type ServerConfig, type ServerConfigInput } from '../config.js';
import {
  CliUsageError,
  parseBytes,
  parseDurability,
  parseDurationMs,
  parseLogLevel,
  parseNonEmpty,
  parseOrigins,
  parsePort,
  parsePositiveInt,
  parseSwitch,
  type ValueSource,
} from './values.js';

/**
 * One `kilndb serve` setting: its KilnDB flag and `KILNDB_*` variable, and MoltenDB's names for it where
 * MoltenDB has one. MoltenDB's variables are mostly unprefixed (`DB_PATH`, `JWT_SECRET`, `PORT`); those
 * generic names are read here only with a `MOLTENDB_` prefix (its own `MOLTENDB_ADMIN_*` as they are), so a
 * `PORT` or `JWT_SECRET` set for another program never configures a database.
 */
interface Setting {
  /** The KilnDB flag without dashes, e.g. `data`; commander's attribute is its camelCase form. */
  readonly flag: string;
  readonly value: string;
  readonly description: string;
  readonly env: string;
  readonly moltenFlag?: string;
  readonly moltenEnv?: string;
}

export const SETTINGS = [
  { flag: 'data', value: '<dir>', description: 'database directory (default ./data)', env: 'KILNDB_DATA', moltenFlag: 'db-path', moltenEnv: 'MOLTENDB_DB_PATH' },
  { flag: 'host', value: '<host>', description: 'address to listen on (default 127.0.0.1)', env: 'KILNDB_HOST' },
  { flag: 'port', value: '<port>', description: 'port to listen on, 0 for any free port (default 1538)', env: 'KILNDB_PORT', moltenEnv: 'MOLTENDB_PORT' },
  {
    flag: 'durability',
    value: '<mode>',
    description: 'when a write is acknowledged: fsync (survives power loss), flush (survives a crash of this process) or none (default fsync)',
    env: 'KILNDB_DURABILITY',
    moltenFlag: 'write-mode',
    moltenEnv: 'MOLTENDB_WRITE_MODE',
  },
  { flag: 'encryption-key', value: '<key>', description: 'encrypt the database at rest under this passphrase', env: 'KILNDB_ENCRYPTION_KEY', moltenEnv: 'MOLTENDB_ENCRYPTION_KEY' },
  { flag: 'root-user', value: '<name>', description: 'the admin user POST /login accepts', env: 'KILNDB_ROOT_USER', moltenFlag: 'admin-user', moltenEnv: 'MOLTENDB_ADMIN_USER' },
  { flag: 'root-password', value: '<password>', description: "the admin user's password", env: 'KILNDB_ROOT_PASSWORD', moltenFlag: 'admin-password', moltenEnv: 'MOLTENDB_ADMIN_PASSWORD' },
  { flag: 'jwt-secret', value: '<secret>', description: 'HS256 secret every token is signed with', env: 'KILNDB_JWT_SECRET', moltenEnv: 'MOLTENDB_JWT_SECRET' },
  { flag: 'root-token-ttl', value: '<duration>', description: 'lifetime of a login token: seconds, or 15m, 12h, 1d (default 86400)', env: 'KILNDB_ROOT_TOKEN_TTL' },
  { flag: 'tls-cert', value: '<file>', description: 'TLS certificate (PEM); serve HTTPS with --tls-key', env: 'KILNDB_TLS_CERT', moltenFlag: 'cert', moltenEnv: 'MOLTENDB_TLS_CERT' },
  { flag: 'tls-key', value: '<file>', description: 'TLS private key (PEM)', env: 'KILNDB_TLS_KEY', moltenFlag: 'key', moltenEnv: 'MOLTENDB_TLS_KEY' },
  { flag: 'cors-origin', value: '<origins>', description: "allowed CORS origins, comma-separated, or '*' (default: none)", env: 'KILNDB_CORS_ORIGIN', moltenEnv: 'MOLTENDB_CORS_ORIGIN' },
  {
    flag: 'rate-limit',
    value: '<n>',
    description: 'requests per window per client address on throttled routes (default 100)',
    env: 'KILNDB_RATE_LIMIT',
    moltenFlag: 'rate-limit-requests',
    moltenEnv: 'MOLTENDB_RATE_LIMIT_REQUESTS',
  },
  {
    flag: 'rate-window',
    value: '<duration>',
    description: 'the rate-limit window: seconds, or 500ms, 5m (default 60)',
    env: 'KILNDB_RATE_WINDOW',
    moltenFlag: 'rate-limit-window',
    moltenEnv: 'MOLTENDB_RATE_LIMIT_WINDOW_SECS',
  },
  { flag: 'max-body-size', value: '<bytes>', description: 'largest request body: bytes, or 512KiB, 10MiB (default 10MiB)', env: 'KILNDB_MAX_BODY_SIZE', moltenEnv: 'MOLTENDB_MAX_BODY_SIZE' },
  { flag: 'max-keys-per-request', value: '<n>', description: 'most documents or keys one request may name (default 1000)', env: 'KILNDB_MAX_KEYS_PER_REQUEST' },
  { flag: 'trust-proxy', value: '', description: 'take the client address from X-Forwarded-For (only behind a proxy you run)', env: 'KILNDB_TRUST_PROXY' },
  {
    flag: 'inline-sync',
    value: '',
    description: 'let a client writing alone have its commits fdatasync\'d on the event loop (faster for it, a short stall for the others)',
    env: 'KILNDB_INLINE_SYNC',
  },
  { flag: 'log-level', value: '<level>', description: 'fatal, error, warn, info, debug, trace or silent (default info)', env: 'KILNDB_LOG_LEVEL' },
  { flag: 'metrics-token', value: '<token>', description: 'a token that may read /metrics besides admin tokens', env: 'KILNDB_METRICS_TOKEN' },
  { flag: 'static-dir', value: '<dir>', description: 'serve the built web console from this directory at /', env: 'KILNDB_STATIC_DIR' },
  { flag: 'dev', value: '', description: 'development: generate a JWT secret and root credentials (printed) when not given', env: 'KILNDB_DEV' },
] as const satisfies readonly Setting[];

type SettingFlag = (typeof SETTINGS)[number]['flag'];

/** camelCase attribute commander stores a flag's value under. */
export function attributeOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** What `kilndb serve` will run: the config, notes about MoltenDB names used, and credentials `--dev` generated. */
export interface ServePlan {
  readonly input: ServerConfigInput;
  readonly notes: readonly string[];
  readonly dev: boolean;
  /** Credentials generated by `--dev` (printed once, with the URL). */
  readonly generated: { readonly rootUser?: string; readonly rootPassword?: string; readonly jwtSecret?: boolean };
}

interface Raw {
  readonly raw: string;
  readonly source: ValueSource;
  /** The MoltenDB flag or variable it came from, if it came from one. */
  readonly molten: string | undefined;
}

/** Commander gives a string for a flag with a value and `true` for a switch. */
function flagValue(value: unknown): string | undefined {
  if (value === true) return 'true';
  return typeof value === 'string' ? value : undefined;
}

/** The raw value of a setting by precedence: KilnDB flag, MoltenDB flag, KILNDB_ variable, MOLTENDB_ variable. */
function rawValue(setting: Setting, cli: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): Raw | undefined {
  const own = flagValue(cli[attributeOf(setting.flag)]);
  const molten = setting.moltenFlag === undefined ? undefined : flagValue(cli[attributeOf(setting.moltenFlag)]);
  const ownName = `--${setting.flag}`;
  const moltenName = `--${setting.moltenFlag ?? ''}`;
  if (own !== undefined && molten !== undefined && own !== molten) {
    throw new CliUsageError(`${ownName} and ${moltenName} (MoltenDB's name for it) disagree; pass one of them`);
  }
  if (own !== undefined) return { raw: own, source: ownName, molten: undefined };
  if (molten !== undefined) return { raw: molten, source: moltenName, molten: moltenName };
  // An empty variable counts as unset, as shells and compose files leave them.
  const fromEnv = env[setting.env];
  if (fromEnv !== undefined && fromEnv !== '') return { raw: fromEnv, source: `${ownName} (from ${setting.env})`, molten: undefined };
  const fromMoltenEnv = setting.moltenEnv === undefined ? undefined : env[setting.moltenEnv];
  if (fromMoltenEnv !== undefined && fromMoltenEnv !== '') {
    return { raw: fromMoltenEnv, source: `${setting.moltenEnv ?? ''} (for ${ownName})`, molten: setting.moltenEnv };
  }
  return undefined;
}

/**
 * MoltenDB's `--write-mode`: `sync` wrote each entry and flushed it to the OS without fsync (it survives a
 * crash of the process, not a power loss), which is `flush`; `async` acknowledged before writing (a 50 ms
 * buffer), which is `none`.
 */
function parseWriteMode(raw: string, source: ValueSource): ServerConfig['durability'] {
  const mode = raw.trim().toLowerCase();
  if (mode === 'sync') return 'flush';
  if (mode === 'async') return 'none';
  throw new CliUsageError(`${source}: must be 'async' or 'sync' (MoltenDB's write modes), got ${JSON.stringify(raw)}`);
}

const WRITE_MODE_MEANS: Record<string, string> = {
  flush: 'written to the OS before the reply, no fsync, as MoltenDB\'s sync',
  none: 'acknowledged before it is written, as MoltenDB\'s async',
};

function readableFile(raw: string, source: ValueSource): string {
  try {
    accessSync(raw, constants.R_OK);
  } catch (error) {
    throw new CliUsageError(`${source}: cannot read ${raw} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (statSync(raw).isDirectory()) throw new CliUsageError(`${source}: ${raw} is a directory, not a PEM file`);
  return raw;
}

function existingDirectory(raw: string, source: ValueSource): string {
  const stat = statSync(raw, { throwIfNoEntry: false });
  if (stat?.isDirectory() !== true) throw new CliUsageError(`${source}: ${raw} is not a directory`);
  return raw;
}

/** MoltenDB's --db-path names a log file; KilnDB's --data a directory. Catch the file before it is "opened". */
function dataDirectory(raw: string, source: ValueSource): string {
  const stat = statSync(raw, { throwIfNoEntry: false });
  if (stat !== undefined && !stat.isDirectory()) {
    throw new CliUsageError(
      `${source}: ${raw} is a file (a MoltenDB log?); KilnDB serves a directory: run \`kilndb import-moltendb ${raw} <dir>\` and serve <dir>`,
    );
  }
  return parseNonEmpty(raw, source);
}

function parseSecret(raw: string, source: ValueSource): string {
  if (raw.length < MIN_JWT_SECRET_LENGTH) {
    throw new CliUsageError(`${source}: must be at least ${MIN_JWT_SECRET_LENGTH} characters (HS256 wants 256 bits of key), got ${raw.length}`);
  }
  return raw;
}

const SECRET_HINT: Record<'jwtSecret' | 'rootUser' | 'rootPassword', string> = {
  jwtSecret: '--jwt-secret <secret> (KILNDB_JWT_SECRET)',
  rootUser: '--root-user <name> (KILNDB_ROOT_USER)',
  rootPassword: '--root-password <password> (KILNDB_ROOT_PASSWORD)',
};

/** Turns `kilndb serve`'s flags and the environment into the server's config; throws CliUsageError naming the flag. */
export function planServe(cli: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): ServePlan {
  const notes: string[] = [];
  const byFlag = new Map<string, Raw>();
  for (const setting of SETTINGS as readonly Setting[]) {
    const raw = rawValue(setting, cli, env);
    if (raw === undefined) continue;
    byFlag.set(setting.flag, raw);
    if (raw.molten !== undefined && setting.flag !== 'durability') {
      notes.push(`note: ${raw.molten} is a MoltenDB-style name; KilnDB's is --${setting.flag} (${setting.env})`);
    }
  }
  const get = <T>(flag: SettingFlag, parse: (raw: string, source: ValueSource) => T): T | undefined => {
    const found = byFlag.get(flag);
    return found === undefined ? undefined : parse(found.raw, found.source);
  };
  const writeMode = byFlag.get('durability')?.molten;
  const durability = get('durability', writeMode === undefined ? parseDurability : parseWriteMode);
  if (writeMode !== undefined && durability !== undefined) {
    notes.push(
      `note: ${writeMode} is a MoltenDB-style name; KilnDB runs --durability ${durability} (${WRITE_MODE_MEANS[durability] ?? ''}); the default, fsync, also survives power loss`,
    );
  }
  const tlsCert = get('tls-cert', readableFile);
  const tlsKey = get('tls-key', readableFile);
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new CliUsageError(tlsCert === undefined ? '--tls-key needs --tls-cert too' : '--tls-cert needs --tls-key too');
  }
  const windowMs = get('rate-window', parseDurationMs);
  const ttlMs = get('root-token-ttl', parseDurationMs);
  if (ttlMs !== undefined && ttlMs < 1000) throw new CliUsageError(`--root-token-ttl: must be at least one second, got ${ttlMs} ms`);
  const dev = get('dev', parseSwitch) ?? false;
  const given = {
    jwtSecret: get('jwt-secret', parseSecret),
    rootUser: get('root-user', parseNonEmpty),
    rootPassword: get('root-password', parseNonEmpty),
  };
  const missing = (Object.keys(given) as (keyof typeof given)[]).filter((name) => given[name] === undefined);
  if (missing.length > 0 && !dev) {
    throw new CliUsageError(
      `refusing to start without credentials: pass ${missing.map((name) => SECRET_HINT[name]).join(', ')}; or --dev to generate development credentials`,
    );
  }
  const generated = {
    ...(given.jwtSecret === undefined ? { jwtSecret: true } : {}),
    ...(given.rootUser === undefined ? { rootUser: 'root' } : {}),
    ...(given.rootPassword === undefined ? { rootPassword: randomBytes(12).toString('base64url') } : {}),
  };
  const optional: Partial<ServerConfig> = {
    ...defined('dataDir', get('data', dataDirectory)),
    ...defined('host', get('host', parseNonEmpty)),
    ...defined('port', get('port', parsePort)),
    ...defined('durability', durability),
    ...defined('encryptionKey', get('encryption-key', parseNonEmpty)),
    ...defined('rootTokenTtlSec', ttlMs === undefined ? undefined : Math.floor(ttlMs / 1000)),
    ...defined('tls', tlsCert === undefined || tlsKey === undefined ? undefined : { cert: tlsCert, key: tlsKey }),
    ...defined('corsOrigins', get('cors-origin', parseOrigins)),
    ...defined('rateLimitMax', get('rate-limit', parsePositiveInt)),
    ...defined('rateLimitWindowMs', windowMs),
    ...defined('maxBodyBytes', get('max-body-size', parseBytes)),
    ...defined('maxKeysPerRequest', get('max-keys-per-request', parsePositiveInt)),
    ...defined('trustProxy', get('trust-proxy', parseSwitch)),
    ...defined('inlineSync', get('inline-sync', parseSwitch)),
    ...defined('logLevel', get('log-level', parseLogLevel)),
    ...defined('metricsToken', get('metrics-token', parseNonEmpty)),
    ...defined('staticDir', get('static-dir', existingDirectory)),
  };
  const input: ServerConfigInput = {
    ...optional,
    jwtSecret: given.jwtSecret ?? randomBytes(32).toString('base64url'),
    rootUser: given.rootUser ?? generated.rootUser ?? 'root',
    rootPassword: given.rootPassword ?? generated.rootPassword ?? '',
  };
  return { input, notes, dev, generated: dev ? generated : {} };
}

function defined<K extends keyof ServerConfig>(key: K, value: ServerConfig[K] | undefined): Partial<Pick<ServerConfig, K>> {
  return value === undefined ? {} : ({ [key]: value } as Pick<ServerConfig, K>);
}

/** The serve flag for each ServerConfig field, to name the flag when the server's own validation refuses a value. */
const FLAG_OF_FIELD: Readonly<Record<keyof ServerConfig, string>> = {
  dataDir: '--data',
  host: '--host',
  port: '--port',
  durability: '--durability',
  encryptionKey: '--encryption-key',
  rootUser: '--root-user',
  rootPassword: '--root-password',
  jwtSecret: '--jwt-secret',
  rootTokenTtlSec: '--root-token-ttl',
  tls: '--tls-cert/--tls-key',
  corsOrigins: '--cors-origin',
  rateLimitMax: '--rate-limit',
  rateLimitWindowMs: '--rate-window',
  maxBodyBytes: '--max-body-size',
  maxKeysPerRequest: '--max-keys-per-request',
  trustProxy: '--trust-proxy',
  inlineSync: '--inline-sync',
  logLevel: '--log-level',
  metricsToken: '--metrics-token',
  staticDir: '--static-dir',
};

/** A ConfigError from startServer as a usage error naming the flag; anything else unchanged. */
export function asFlagError(error: unknown): unknown {
  if (!(error instanceof ConfigError)) return error;
  const flag = (FLAG_OF_FIELD as Record<string, string | undefined>)[error.field];
  if (flag === undefined) return error;
  const at = error.message.indexOf(`${error.field} `);
  const problem = at === -1 ? error.message : error.message.slice(at + error.field.length + 1);
  return new CliUsageError(`${flag}: ${problem}`);
}
