import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, serverDefaults, type ServerConfigInput } from './config.js';

const required: ServerConfigInput = { rootUser: 'root', rootPassword: 'pw', jwtSecret: 's'.repeat(32) };

function fieldOf(input: Record<string, unknown>, base: Record<string, unknown> = { ...required }): string | undefined {
  try {
    resolveConfig({ ...base, ...input } as ServerConfigInput);
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.field;
  }
}

describe('resolveConfig', () => {
  it('fills the defaults', () => {
    const config = resolveConfig(required);
    expect(config).toMatchObject({ ...serverDefaults, ...required });
    expect(config.port).toBe(1538);
  });

  it('treats an explicit undefined as the default', () => {
    // JavaScript callers (and spread option objects) pass undefined for "not given".
    const input = { ...required, port: undefined, durability: undefined } as unknown as ServerConfigInput;
    expect(resolveConfig(input)).toMatchObject({ port: 1538, durability: 'fsync' });
  });

  it.each([
    ['dataDir', ''],
    ['host', 7],
    ['port', 70_000],
    ['port', 1.5],
    ['durability', 'sometimes'],
    ['encryptionKey', ''],
    ['rootUser', ''],
    ['jwtSecret', 'short'],
    ['rootTokenTtlSec', 0],
    ['tls', { cert: 'c.pem' }],
    ['corsOrigins', 'everyone'],
    ['rateLimitMax', -1],
    ['rateLimitWindowMs', 0],
    ['maxBodyBytes', 0],
    ['maxKeysPerRequest', Number.NaN],
    ['trustProxy', 'yes'],
    ['inlineSync', 'on'],
    ['logLevel', 'loud'],
    ['metricsToken', 'abc'],
    ['staticDir', ''],
  ])('refuses %s = %j with a ConfigError naming it', (field, value) => {
    expect(fieldOf({ [field]: value })).toBe(field);
  });

  it('refuses a missing required field', () => {
    const { rootPassword: _, ...withoutPassword } = required;
    expect(fieldOf({}, withoutPassword)).toBe('rootPassword');
  });

  it('refuses an unknown field (a typo would otherwise be ignored)', () => {
    expect(fieldOf({ maxBodySize: 10 })).toBe('maxBodySize');
    expect(() => resolveConfig({ ...required, durability: 'x' as never })).toThrow(/durability must be one of fsync, flush, none/);
  });
});
