/** The offline commands end to end: real directories, the built bin in a child process, output piped. */
import { Database } from '@kilndb/doc-engine';
import { open, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliRun } from './test-support/run-cli.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(async () => {
  await temp.remove();
});

/** 120 users and 3 teams written one by one (so each is its own log record), an index on age. */
async function makeDatabase(dir: string, options: { encryptionKey?: string } = {}): Promise<void> {
  // 'flush': the data only has to survive this process; it is closed before any command runs.
  const db = await Database.open(dir, { ...options, durability: 'flush' });
  const users = db.collection('users');
  for (let i = 0; i < 120; i++) await users.set(`u${i}`, { name: `user ${i}`, age: i % 50 });
  for (const team of ['core', 'web', 'ops']) await db.collection('teams').set(team, { name: team });
  await users.createIndex('age');
  await db.close();
}

/** Errors are one line on stderr, never a stack, and the exit is not zero. */
function expectOneLineError(run: CliRun, pattern: RegExp): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.code).not.toBeNull();
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** Piped output carries no progress bar (drawn with carriage returns and block characters). */
function expectNoBar(run: CliRun): void {
  const output = run.stdout + run.stderr;
  expect(output).not.toMatch(/\r|░|█/);
  expect(output.includes('\u001b')).toBe(false);
}

// Each command is a fresh Node process; on a shared machine that takes a second or more.
describe('kilndb inspect / verify', { timeout: 90_000 }, () => {
  it('inspect describes documents, collections, segments and bytes, as text and as JSON', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    const text = await runCli(['inspect', dir]);
    expect(text.code, text.stderr).toBe(0);
    expectNoBar(text);
    expect(text.stdout).toMatch(/documents\s+123 in 2 collections, last seq 124/);
    expect(text.stdout).toMatch(/users\s+120 docs .* indexes: age/);
    expect(text.stdout).toMatch(/quarantined\s+0 B in 0 files/);
    const json = await runCli(['inspect', dir, '--json']);
    const report = JSON.parse(json.stdout) as Record<string, unknown> & { collections: Record<string, { count: number }>; segments: unknown[]; liveBytes: number; logBytes: number };
    expect(report.documents).toBe(123);
    expect(report.collections.teams?.count).toBe(3);
    expect(report.segments).toHaveLength(1);
    expect(report.snapshot).toBeUndefined();
    expect(report.liveBytes).toBeGreaterThan(0);
    expect(report.logBytes).toBeGreaterThan(report.liveBytes);
  });

  it('verify exits 0 on a sound database and 1 naming the segment and byte of a record whose CRC fails', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    const sound = await runCli(['verify', dir]);
    expect(sound.code, sound.stdout + sound.stderr).toBe(0);
    expect(sound.stdout).toMatch(/checked 1 log segment \(124 records/);
    expect(sound.stdout.trimEnd().endsWith('ok')).toBe(true);
    expectNoBar(sound);

    const [segment] = await readdir(join(dir, 'log'));
    const file = await open(join(dir, 'log', segment ?? ''), 'r+');
    // A byte inside the payload of a record in the middle of the log: its CRC no longer matches.
    const size = (await file.stat()).size;
    const at = Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, at);
    await file.write(Buffer.from([(byte[0] ?? 0) ^ 0xff]), 0, 1, at);
    await file.close();
    const broken = await runCli(['verify', dir, '--json']);
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout) as { ok: boolean; problems: string[] };
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(new RegExp(`^log/${segment ?? ''}: record at byte \\d+ \\(id \\d+\\) fails its CRC`));
  });

  it('verify finds a damaged snapshot and a torn tail', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    expect((await runCli(['compact', dir])).code).toBe(0);
    const db = await Database.open(dir);
    await db.collection('users').set('late', { name: 'late' });
    await db.close();
    expect((await runCli(['verify', dir])).code).toBe(0);

    const snapshot = join(dir, 'snapshot.kilndocs');
    const bytes = await readFile(snapshot);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0x01;
    await writeFile(snapshot, bytes);
    const segments = await readdir(join(dir, 'log'));
    const last = join(dir, 'log', segments.sort().at(-1) ?? '');
    await writeFile(last, Buffer.concat([await readFile(last), Buffer.from([0xc3, 1, 2, 3])]));
    const run = await runCli(['verify', dir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/problem: snapshot\.kilndocs: .*checksum mismatch/);
    expect(run.stdout).toMatch(/problem: log\/\d{20}\.log: ends inside a record at byte \d+ \(a torn tail of 4 bytes/);
  });

  it('verify takes preallocated zeros after the last record as the end of the log, and zeros then bytes as damage', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    const [segment] = await readdir(join(dir, 'log'));
    const path = join(dir, 'log', segment ?? '');
    const records = await readFile(path);
    // What a process stopped without closing leaves: its records, then the zeros it wrote ahead of them.
    await writeFile(path, Buffer.concat([records, Buffer.alloc(4096)]));
    const ended = await runCli(['verify', dir, '--json']);
    expect(ended.code, ended.stdout + ended.stderr).toBe(0);
    const report = JSON.parse(ended.stdout) as { ok: boolean; logBytes: number; notes: string[] };
    expect(report.logBytes).toBe(records.length);
    expect(report.notes).toContain(`log/${segment ?? ''}: 4096 preallocated zero bytes after the last record (from byte ${records.length}); the log ends there`);

    await writeFile(path, Buffer.concat([records, Buffer.alloc(4096), Buffer.from([0x01])]));
    const damaged = await runCli(['verify', dir]);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(new RegExp(`problem: log/${segment ?? ''}: unknown record marker at byte ${records.length}; 4097 bytes`));
  });

  it('a missing directory or a directory without a database is one line and exit 2', async () => {
    expectOneLineError(await runCli(['inspect', join(temp.dir, 'nope')]), /^kilndb inspect: .*nope: no such directory\n$/);
    expectOneLineError(await runCli(['verify', temp.dir]), /^kilndb verify: .*: no KilnDB database here/);
    expectOneLineError(await runCli(['inspect']), /^kilndb inspect: missing required argument 'dir'\n$/);
  });

  it('opens an encrypted database with --encryption-key or KILNDB_ENCRYPTION_KEY, and says so without it', async () => {
    const dir = join(temp.dir, 'secret');
    await makeDatabase(dir, { encryptionKey: 'open sesame' });
    expectOneLineError(await runCli(['inspect', dir]), /^kilndb inspect: MissingKeyError: /);
    const byFlag = await runCli(['inspect', dir, '--json', '--encryption-key', 'open sesame']);
    expect((JSON.parse(byFlag.stdout) as { documents: number; encrypted: boolean }).documents).toBe(123);
    const byEnv = await runCli(['verify', dir], { KILNDB_ENCRYPTION_KEY: 'open sesame' });
    expect(byEnv.code, byEnv.stdout).toBe(0);
    const noKey = await runCli(['verify', dir]);
    expect(noKey.code).toBe(0);
    expect(noKey.stdout).toMatch(/note: encrypted: .* not decrypted/);
    const wrongKey = await runCli(['verify', dir, '--encryption-key', 'wrong']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/problem: open: WrongKeyError: /);
  });
});

describe('kilndb compact / export / import-moltendb / recover', { timeout: 90_000 }, () => {
  it('compact writes a snapshot and retires the log; the database still verifies with every document', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    const run = await runCli(['compact', dir]);
    expect(run.code, run.stderr).toBe(0);
    expectNoBar(run);
    expect(run.stdout).toMatch(/^compacted .*: snapshot at seq 124 \(123 documents\), 1 log segment retired/);
    const report = JSON.parse((await runCli(['inspect', dir, '--json'])).stdout) as { documents: number; snapshot: { seq: number } };
    expect(report.documents).toBe(123);
    expect(report.snapshot.seq).toBe(124);
    expect((await runCli(['compact', dir])).stdout).toMatch(/nothing to compact/);
  });

  it('compact refuses while another process holds the directory', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    const db = await Database.open(dir);
    try {
      expectOneLineError(await runCli(['compact', dir]), /^kilndb compact: DirectoryLockedError: /);
    } finally {
      await db.close();
    }
  });

  it('export writes a MoltenDB log that import-moltendb loads back into a new directory', async () => {
    const dir = join(temp.dir, 'db');
    await makeDatabase(dir);
    const log = join(temp.dir, 'out.log');
    const exported = await runCli(['export', dir, log]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^exported 123 documents in 2 collections/);
    const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(123);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ cmd: 'INSERT', collection: 'users', key: 'u0' });

    const target = join(temp.dir, 'imported');
    const imported = await runCli(['import-moltendb', log, target, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ documents: 123, collections: { users: 120, teams: 3 } });
    const db = await Database.open(target, { readOnly: true });
    expect(db.collection('users').get('u7')).toMatchObject({ name: 'user 7', age: 7 });
    await db.close();
    expectOneLineError(await runCli(['import-moltendb', log, target]), /^kilndb import-moltendb: .*not empty/i);
    expectOneLineError(await runCli(['import-moltendb', join(temp.dir, 'missing.log'), join(temp.dir, 'x')]), /^kilndb import-moltendb: .*missing\.log/);
  });

  it('recover rebuilds the state as of a sequence number or a time into a new directory', async () => {
    const dir = join(temp.dir, 'db');
    let clock = Date.UTC(2026, 0, 1);
    const db = await Database.open(dir, { clock: () => clock, durability: 'flush' });
    for (let i = 1; i <= 10; i++) {
      clock += 60_000;
      await db.collection('events').set(`e${i}`, { i });
    }
    await db.close();
    const bySeq = join(temp.dir, 'by-seq');
    const run = await runCli(['recover', dir, '--to-seq', '4', '--out', bySeq]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^recovered 4 documents in 1 collection as of seq 4/);
    const byTime = join(temp.dir, 'by-time');
    const timed = await runCli(['recover', dir, '--to-time', new Date(Date.UTC(2026, 0, 1) + 6.5 * 60_000).toISOString(), '--out', byTime, '--json']);
    expect(JSON.parse(timed.stdout)).toMatchObject({ documents: 6, seq: 6 });
    const recovered = await Database.open(byTime, { readOnly: true });
    expect(recovered.collection('events').keys().sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    await recovered.close();

    expectOneLineError(await runCli(['recover', dir, '--out', join(temp.dir, 'x')]), /^kilndb recover: recover: pass exactly one of --to-time or --to-seq\n$/);
    expectOneLineError(await runCli(['recover', dir, '--to-seq', 'ten', '--out', join(temp.dir, 'x')]), /^kilndb recover: --to-seq: must be a non-negative integer, got "ten"\n$/);
    expectOneLineError(await runCli(['recover', dir, '--to-seq', '3']), /^kilndb recover: required option '--out <dir>' not specified\n$/);
    expectOneLineError(await runCli(['recover', dir, '--to-seq', '3', '--out', bySeq]), /^kilndb recover: .*must be a new or empty directory/);
  });
});
