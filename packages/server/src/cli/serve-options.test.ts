import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { asFlagError, planServe } from './serve-options.js';
import { tempDir } from './test-support/run-cli.js';
import { CliUsageError } from './values.js';

const SECRET = 'x'.repeat(40);
const CREDS = { jwtSecret: SECRET, rootUser: 'admin', rootPassword: 'pw' };

describe('kilndb serve options', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    temp = await tempDir();
  });
  afterEach(async () => {
    await temp.remove();
  });

  it('refuses without credentials and names exactly what is missing', () => {
    expect(() => planServe({}, {})).toThrow(
      'refusing to start without credentials: pass --jwt-secret <secret> (KILNDB_JWT_SECRET), --root-user <name> (KILNDB_ROOT_USER), --root-password <password> (KILNDB_ROOT_PASSWORD); or --dev to generate development credentials',
    );
    expect(() => planServe({ jwtSecret: SECRET, rootUser: 'a' }, {})).toThrow(/pass --root-password <password> \(KILNDB_ROOT_PASSWORD\); or --dev/);
  });

  it('--dev generates a secret and root credentials, keeping what was given', () => {
    const plan = planServe({ dev: true }, {});
    expect(plan.dev).toBe(true);
    expect(plan.input.rootUser).toBe('root');
    expect(plan.input.rootPassword.length).toBeGreaterThanOrEqual(16);
    expect(plan.input.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(plan.generated).toEqual({ jwtSecret: true, rootUser: 'root', rootPassword: plan.input.rootPassword });
    const other = planServe({ dev: true }, {});
    expect(other.input.jwtSecret).not.toBe(plan.input.jwtSecret);
    const kept = planServe({ rootPassword: 'mine' }, { KILNDB_DEV: '1' });
    expect(kept.input.rootPassword).toBe('mine');
    expect(kept.generated).toEqual({ jwtSecret: true, rootUser: 'root' });
  });

  it('reads KILNDB_* variables, and a flag wins over its variable', () => {
    const env = { KILNDB_JWT_SECRET: SECRET, KILNDB_ROOT_USER: 'envuser', KILNDB_ROOT_PASSWORD: 'envpw', KILNDB_PORT: '7000', KILNDB_DURABILITY: 'none', KILNDB_TRUST_PROXY: 'true', KILNDB_INLINE_SYNC: '1' };
    const plan = planServe({ port: '0', rootPassword: 'flagpw' }, env);
    expect(plan.input).toMatchObject({ jwtSecret: SECRET, rootUser: 'envuser', rootPassword: 'flagpw', port: 0, durability: 'none', trustProxy: true, inlineSync: true });
    expect(planServe({ rootPassword: 'pw' }, { KILNDB_JWT_SECRET: SECRET, KILNDB_ROOT_USER: 'u' }).input.inlineSync).toBeUndefined();
    expect(plan.notes).toEqual([]);
    expect(() => planServe({}, { ...env, KILNDB_RATE_LIMIT: 'lots' })).toThrow(/^--rate-limit \(from KILNDB_RATE_LIMIT\): must be a positive integer, got "lots"$/);
  });

  it("takes MoltenDB's flags and MOLTENDB_* variables with a note naming the KilnDB flag", () => {
    const plan = planServe(
      { adminUser: 'molten', adminPassword: 'pw', rateLimitRequests: '5', rateLimitWindow: '30', dbPath: temp.dir },
      { MOLTENDB_JWT_SECRET: SECRET, MOLTENDB_WRITE_MODE: 'sync' },
    );
    expect(plan.input).toMatchObject({ rootUser: 'molten', rootPassword: 'pw', rateLimitMax: 5, rateLimitWindowMs: 30_000, dataDir: temp.dir, durability: 'flush', jwtSecret: SECRET });
    expect(plan.notes).toContain("note: --admin-user is a MoltenDB-style name; KilnDB's is --root-user (KILNDB_ROOT_USER)");
    expect(plan.notes).toContain("note: MOLTENDB_JWT_SECRET is a MoltenDB-style name; KilnDB's is --jwt-secret (KILNDB_JWT_SECRET)");
    expect(plan.notes.find((note) => note.startsWith('note: MOLTENDB_WRITE_MODE'))).toMatch(/--durability flush/);
    expect(planServe({ ...CREDS, writeMode: 'async' }, {}).input.durability).toBe('none');
    expect(() => planServe({ ...CREDS, writeMode: 'fast' }, {})).toThrow(/^--write-mode: must be 'async' or 'sync'/);
    // KILNDB_ names win over MoltenDB's; two flags that disagree are refused.
    expect(planServe(CREDS, { KILNDB_PORT: '1', MOLTENDB_PORT: '2' }).input.port).toBe(1);
    expect(() => planServe({ ...CREDS, data: 'a', dbPath: 'b' }, {})).toThrow(/--data and --db-path .* disagree/);
  });

  it('refuses a MoltenDB log file as --db-path, half a TLS pair, a short JWT secret, a missing static dir', () => {
    const log = `${temp.dir}/my_database.log`;
    writeFileSync(log, '');
    expect(() => planServe({ ...CREDS, dbPath: log }, {})).toThrow(/kilndb import-moltendb/);
    expect(() => planServe({ ...CREDS, tlsCert: log }, {})).toThrow('--tls-cert needs --tls-key too');
    expect(() => planServe({ ...CREDS, cert: `${temp.dir}/missing.pem`, key: log }, {})).toThrow(/^--cert: cannot read .*missing\.pem \(ENOENT\)$/);
    expect(() => planServe({ ...CREDS, jwtSecret: 'short' }, {})).toThrow(/^--jwt-secret: must be at least 32 characters/);
    expect(() => planServe({ ...CREDS, staticDir: log }, {})).toThrow(/^--static-dir: .* is not a directory$/);
  });

  it("names the flag when the server's own validation refuses a value", () => {
    const error = asFlagError(new ConfigError('metricsToken', 'must be a string of at least 16 characters'));
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toBe('--metrics-token: must be a string of at least 16 characters');
    const other = new Error('boom');
    expect(asFlagError(other)).toBe(other);
  });
});
