import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from './settings.js';

describe('readSettings', () => {
  it('defaults to ./data under the working directory, 127.0.0.1:1538 and dev credentials', () => {
    expect(readSettings({}, '/srv/app')).toEqual({
      dataDir: '/srv/app/data',
      host: '127.0.0.1',
      port: 1538,
      rootUser: undefined,
      rootPassword: undefined,
      jwtSecret: undefined,
      rateLimit: 1000,
    });
  });

  it('takes every KILNDB_* override (empty ones count as unset)', () => {
    const env = {
      KILNDB_DATA: 'other',
      KILNDB_HOST: '0.0.0.0',
      KILNDB_PORT: '0',
      KILNDB_ROOT_USER: 'root',
      KILNDB_ROOT_PASSWORD: 'pw',
      KILNDB_JWT_SECRET: '',
      KILNDB_RATE_LIMIT: '50',
    };
    expect(readSettings(env, '/srv/app')).toEqual({ dataDir: '/srv/app/other', host: '0.0.0.0', port: 0, rootUser: 'root', rootPassword: 'pw', jwtSecret: undefined, rateLimit: 50 });
    expect(readSettings({ KILNDB_DATA: '/abs/dir' }, '/srv/app').dataDir).toBe('/abs/dir');
  });

  it.each([
    ['KILNDB_PORT', '70000'],
    ['KILNDB_PORT', 'http'],
    ['KILNDB_PORT', '-1'],
    ['KILNDB_RATE_LIMIT', '0'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => readSettings({ [name]: value }, '/')).toThrow(SettingsError);
    expect(() => readSettings({ [name]: value }, '/')).toThrow(new RegExp(`^${name} must be a whole number`));
  });
});
