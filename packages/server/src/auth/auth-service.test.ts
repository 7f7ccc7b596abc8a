import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../config.js';
import { JWT_SECRET } from '../test-support/server.js';
import { AuthService } from './auth-service.js';

let dir: string;
let auth: AuthService;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kilndb-auth-service-'));
  auth = await AuthService.open(resolveConfig({ dataDir: dir, rootUser: 'root', rootPassword: 'pw', jwtSecret: JWT_SECRET }));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('AuthService.verify', () => {
  it('gives the principal of a token it issued, the same on a repeated call', async () => {
    const { token, jti } = await auth.issue('svc', ['read:a:*'], 60);
    const first = await auth.verify(token);
    expect(first).toMatchObject({ sub: 'svc', jti, scopes: ['read:a:*'] });
    expect(await auth.verify(token)).toEqual(first);
  });

  it('refuses a token verified before once it expires', async () => {
    const { token } = await auth.issue('svc', ['read:a:*'], 60);
    await auth.verify(token);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    await expect(auth.verify(token)).rejects.toThrow('Token has expired');
  });

  it('refuses a token verified before once it is revoked', async () => {
    const { token, jti } = await auth.issue('svc', ['read:a:*'], 60);
    await auth.verify(token);
    await auth.revoke(jti);
    await expect(auth.verify(token)).rejects.toThrow('Token has been revoked');
  });

  it('of two refreshes of one verified token in flight, only one succeeds', async () => {
    const { token } = await auth.issue('svc', ['read:a:*'], 60);
    // Both requests passed the hook before either handler ran.
    const [a, b] = [await auth.verify(token), await auth.verify(token)];
    const results = await Promise.allSettled([auth.refresh(a, 60), auth.refresh(b, 60)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ statusCode: 401, message: 'Token has been revoked' });
  });

  it('logs in the root user only', async () => {
    expect(await auth.login('root', 'pw')).toMatchObject({ jti: expect.any(String) as string });
    expect(await auth.login('root', 'PW')).toBeUndefined();
    expect(await auth.login('Root', 'pw')).toBeUndefined();
  });
});
