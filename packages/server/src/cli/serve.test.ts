/** `kilndb serve` end to end: the built bin in a child process on 127.0.0.1 with a free port. */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JWT_SECRET, login, postJson, runCli, startServe, tempDir, waitFor, type ServeProcess } from './test-support/run-cli.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
const running: ServeProcess[] = [];
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  await temp.remove();
});

async function serve(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<ServeProcess> {
  const server = await startServe(['--host', '127.0.0.1', '--port', '0', '--log-level', 'silent', ...args], env);
  running.push(server);
  return server;
}

async function stop(server: ServeProcess): Promise<{ code: number | null; stderr: string }> {
  server.child.kill('SIGTERM');
  const run = await server.exited;
  running.splice(running.indexOf(server), 1);
  return run;
}

describe('kilndb serve', { timeout: 90_000 }, () => {
  it('refuses to start without a JWT secret and root credentials, saying what to pass', async () => {
    const run = await runCli(['serve', '--port', '0', '--data', join(temp.dir, 'db'), '--root-user', 'admin']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'kilndb serve: refusing to start without credentials: pass --jwt-secret <secret> (KILNDB_JWT_SECRET), --root-password <password> (KILNDB_ROOT_PASSWORD); or --dev to generate development credentials\n',
    );
  });

  it('--dev prints the URL and generated credentials that log in; SIGTERM closes it with exit 0', async () => {
    const server = await serve(['--dev', '--data', join(temp.dir, 'db')]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The credentials line follows the URL line, possibly in a later chunk.
    await waitFor(() => server.stdout().includes('password'), 10_000);
    const match = /log in as "root" with password "([^"]+)" \(generated\)/.exec(server.stdout());
    expect(match, server.stdout()).not.toBeNull();
    const token = await login(server.url, 'root', match?.[1] ?? '');
    const written = await postJson(`${server.url}/set`, { collection: 'notes', data: { a: { text: 'hi' } } }, token);
    expect(written.status).toBe(200);
    const run = await stop(server);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/SIGTERM: closing/);
  });

  it('takes its settings from KILNDB_* variables, a flag winning over its variable', async () => {
    const server = await serve([], {
      KILNDB_DATA: join(temp.dir, 'db'),
      KILNDB_JWT_SECRET: JWT_SECRET,
      KILNDB_ROOT_USER: 'envadmin',
      KILNDB_ROOT_PASSWORD: 'from-env',
      KILNDB_PORT: '1',
    });
    expect(server.url).not.toMatch(/:1$/);
    await login(server.url, 'envadmin', 'from-env');
    expect(await stop(server)).toMatchObject({ code: 0 });

    const flagged = await serve(['--root-password', 'from-flag'], {
      KILNDB_DATA: join(temp.dir, 'db'),
      KILNDB_JWT_SECRET: JWT_SECRET,
      KILNDB_ROOT_USER: 'envadmin',
      KILNDB_ROOT_PASSWORD: 'from-env',
    });
    await login(flagged.url, 'envadmin', 'from-flag');
    expect((await postJson(`${flagged.url}/login`, { username: 'envadmin', password: 'from-env' })).status).toBe(401);
  });

  it("accepts MoltenDB's flags and MOLTENDB_* variables, printing the KilnDB names", async () => {
    const server = await serve(['--db-path', join(temp.dir, 'db'), '--admin-user', 'molten', '--admin-password', 'pw', '--write-mode', 'sync'], {
      MOLTENDB_JWT_SECRET: JWT_SECRET,
    });
    const token = await login(server.url, 'molten', 'pw');
    expect((await postJson(`${server.url}/set`, { collection: 'c', data: { k: { v: 1 } } }, token)).status).toBe(200);
    const run = await stop(server);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/note: --db-path is a MoltenDB-style name; KilnDB's is --data \(KILNDB_DATA\)/);
    expect(run.stderr).toMatch(/note: --admin-user is a MoltenDB-style name; KilnDB's is --root-user/);
    expect(run.stderr).toMatch(/note: MOLTENDB_JWT_SECRET is a MoltenDB-style name; KilnDB's is --jwt-secret/);
    expect(run.stderr).toMatch(/note: --write-mode is a MoltenDB-style name; KilnDB runs --durability flush/);
  });

  it('a bad value is one line naming the flag (or variable), exit 2, no stack', async () => {
    const base = ['serve', '--dev', '--data', join(temp.dir, 'db')];
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--port', 'http'], {}, /^kilndb serve: --port: must be a port number 0\.\.65535 \(0 picks a free port\), got "http"\n$/],
      [['--durability', 'sometimes'], {}, /^kilndb serve: --durability: must be 'fsync', 'flush' or 'none', got "sometimes"\n$/],
      [[], { KILNDB_MAX_BODY_SIZE: 'huge' }, /^kilndb serve: --max-body-size \(from KILNDB_MAX_BODY_SIZE\): must be a positive size/],
      [['--metrics-token', 'short'], {}, /^kilndb serve: --metrics-token: must be a string of at least 16 characters\n$/],
      [['--frobnicate'], {}, /^kilndb serve: unknown option '--frobnicate'\n$/],
    ];
    for (const [args, env, pattern] of cases) {
      const run = await runCli([...base, ...args], env);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(pattern);
    }
    const log = join(temp.dir, 'my_database.log');
    await writeFile(log, '');
    const molten = await runCli(['serve', '--dev', '--db-path', log]);
    expect(molten.code).toBe(2);
    expect(molten.stderr).toMatch(/^kilndb serve: --db-path: .*my_database\.log is a file \(a MoltenDB log\?\); .*kilndb import-moltendb/);
  });

  it('serves HTTPS with --tls-cert/--tls-key and the console from KILNDB_STATIC_DIR; SIGINT closes it with exit 0', async () => {
    const cert = join(temp.dir, 'cert.pem');
    const key = join(temp.dir, 'key.pem');
    // A throwaway self-signed certificate for 127.0.0.1 (openssl ships with every system this runs on).
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const site = join(temp.dir, 'site');
    await mkdir(site);
    await writeFile(join(site, 'index.html'), '<!doctype html><title>studio</title>');
    const server = await serve(['--dev', '--data', join(temp.dir, 'db'), '--tls-cert', cert, '--tls-key', key], { KILNDB_STATIC_DIR: site });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(cert);
    const page = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/index.html`, { ca }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(page).toEqual({ status: 200, body: '<!doctype html><title>studio</title>' });
    server.child.kill('SIGINT');
    const run = await server.exited;
    running.splice(running.indexOf(server), 1);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/SIGINT: closing/);
  });

  it('a directory another server holds is one line and exit 1', async () => {
    const dir = join(temp.dir, 'db');
    await serve(['--dev', '--data', dir]);
    const second = await runCli(['serve', '--dev', '--port', '0', '--log-level', 'silent', '--data', dir]);
    expect(second.code).toBe(1);
    expect(second.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/^kilndb serve: DirectoryLockedError: /);
  });
});
