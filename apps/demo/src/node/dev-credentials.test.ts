import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CREDENTIALS_FILE, loadOrCreateDevCredentials } from './dev-credentials.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kilndb-studio-creds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrCreateDevCredentials', () => {
  it('makes random credentials once, readable only by the owner, and returns the same ones after', async () => {
    const first = await loadOrCreateDevCredentials(join(dir, 'data'));
    expect(first.created).toBe(true);
    expect(first.credentials.rootPassword.length).toBeGreaterThanOrEqual(12);
    expect(first.credentials.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dir, 'data', DEV_CREDENTIALS_FILE))).mode & 0o077).toBe(0);
    const again = await loadOrCreateDevCredentials(join(dir, 'data'));
    expect(again).toEqual({ credentials: first.credentials, created: false });
    const other = await loadOrCreateDevCredentials(join(dir, 'other'));
    expect(other.credentials.rootPassword).not.toBe(first.credentials.rootPassword);
  });

  it('refuses a damaged file, saying how to recover', async () => {
    await writeFile(join(dir, DEV_CREDENTIALS_FILE), '{"rootUser": "admin"}');
    await expect(loadOrCreateDevCredentials(dir)).rejects.toThrow(/lacks rootUser, rootPassword or jwtSecret; delete it/);
    await writeFile(join(dir, DEV_CREDENTIALS_FILE), '{not json');
    await expect(loadOrCreateDevCredentials(dir)).rejects.toThrow(/is not valid JSON/);
  });
});
