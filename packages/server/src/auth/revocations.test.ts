import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JWT_SECRET, rootToken, startTestServer } from '../test-support/server.js';
import { RevocationFileError, RevocationStore } from './revocations.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kilndb-revocations-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const filePath = () => join(dir, 'auth', 'revocations.json');
const now = () => Math.floor(Date.now() / 1000);

describe('RevocationStore', () => {
  it('starts empty without a file, and creates <dataDir>/auth', async () => {
    const store = await RevocationStore.open(dir, JWT_SECRET);
    expect(store.has('x')).toBe(false);
    expect((await stat(join(dir, 'auth'))).isDirectory()).toBe(true);
  });

  it('persists each revocation with its expiry, leaving no temp file, readable only by the owner', async () => {
    const store = await RevocationStore.open(dir, JWT_SECRET);
    await Promise.all([store.revoke('a', now() + 60), store.revoke('b', now() + 120)]);
    expect(await readdir(join(dir, 'auth'))).toEqual(['revocations.json']);
    expect((await stat(filePath())).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(filePath(), 'utf8')) as { entries: [string, number][] };
    expect(file.entries.map(([jti]) => jti).sort()).toEqual(['a', 'b']);
    const reopened = await RevocationStore.open(dir, JWT_SECRET);
    expect(reopened.has('a') && reopened.has('b')).toBe(true);
  });

  it('prunes entries past their expiry on the next write and on load', async () => {
    const store = await RevocationStore.open(dir, JWT_SECRET);
    await store.revoke('old', now() - 1);
    await store.revoke('new', now() + 60);
    const file = JSON.parse(await readFile(filePath(), 'utf8')) as { entries: [string, number][] };
    expect(file.entries.map(([jti]) => jti)).toEqual(['new']);
  });

  it('refuses an edited file, a file signed with another secret, and one that is not JSON', async () => {
    const store = await RevocationStore.open(dir, JWT_SECRET);
    await store.revoke('victim', now() + 600);
    const original = await readFile(filePath(), 'utf8');
    // Dropping a revocation (to revive a stolen token) is exactly the edit the MAC must catch.
    await writeFile(filePath(), original.replace('"victim"', '"nobody"'));
    await expect(RevocationStore.open(dir, JWT_SECRET)).rejects.toThrow(RevocationFileError);
    await writeFile(filePath(), original);
    await expect(RevocationStore.open(dir, `${JWT_SECRET}-rotated`)).rejects.toThrow(/integrity check/);
    await writeFile(filePath(), '{"version":1,');
    await expect(RevocationStore.open(dir, JWT_SECRET)).rejects.toThrow(/not valid JSON/);
    await writeFile(filePath(), '{"version":1,"entries":{},"mac":"00"}');
    await expect(RevocationStore.open(dir, JWT_SECRET)).rejects.toThrow(/expected \{version, entries, mac\} shape/);
  });
});

describe('revocations across restarts', () => {
  async function delegateAdmin(url: string, root: string): Promise<{ token: string; jti: string }> {
    const response = await fetch(`${url}/auth/delegate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'ops', scopes: ['*:*:*'] }),
    });
    return (await response.json()) as { token: string; jti: string };
  }
  const probe = (url: string, token: string) =>
    fetch(`${url}/auth/delegate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'p', scopes: ['read:a:*'] }),
    });

  it('a revoked token stays revoked after a restart; a kept token still works', async () => {
    const first = await startTestServer({ dataDir: dir });
    const root = await rootToken(first.url);
    const revoked = await delegateAdmin(first.url, root);
    const kept = await delegateAdmin(first.url, root);
    const answer = await fetch(`${first.url}/auth/tokens/${revoked.jti}`, { method: 'DELETE', headers: { authorization: `Bearer ${root}` } });
    expect(answer.status).toBe(200);
    await first.stop();

    const second = await startTestServer({ dataDir: dir });
    try {
      const refused = await probe(second.url, revoked.token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: 'Token has been revoked', statusCode: 401 });
      expect((await probe(second.url, kept.token)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('a tampered revocation file stops the server from starting', async () => {
    const first = await startTestServer({ dataDir: dir });
    const root = await rootToken(first.url);
    const { jti } = await delegateAdmin(first.url, root);
    await fetch(`${first.url}/auth/tokens/${jti}`, { method: 'DELETE', headers: { authorization: `Bearer ${root}` } });
    await first.stop();
    const file = JSON.parse(await readFile(filePath(), 'utf8')) as { entries: unknown[] };
    file.entries = [];
    await writeFile(filePath(), JSON.stringify(file));
    await expect(startTestServer({ dataDir: dir })).rejects.toThrow(RevocationFileError);
  });
});
