import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CREDENTIALS_FILE, newDevCredentials, readDevCredentials, saveDevCredentials } from './dev-credentials.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kilndb-studio-creds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dev credentials', () => {
  it('are random, saved readable only by the owner, and read back as saved', async () => {
    expect(await readDevCredentials(dir)).toBeUndefined();
    const made = newDevCredentials();
    expect(made.rootPassword.length).toBeGreaterThanOrEqual(12);
    expect(made.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(newDevCredentials().rootPassword).not.toBe(made.rootPassword);
    await saveDevCredentials(dir, made);
    expect((await stat(join(dir, DEV_CREDENTIALS_FILE))).mode & 0o077).toBe(0);
    expect(await readDevCredentials(dir)).toEqual(made);
  });

  it('refuse a damaged file, saying how to recover', async () => {
    await writeFile(join(dir, DEV_CREDENTIALS_FILE), '{"rootUser": "admin"}');
    await expect(readDevCredentials(dir)).rejects.toThrow(/lacks rootUser, rootPassword or jwtSecret; delete it/);
    await writeFile(join(dir, DEV_CREDENTIALS_FILE), '{not json');
    await expect(readDevCredentials(dir)).rejects.toThrow(/is not valid JSON/);
  });
});
