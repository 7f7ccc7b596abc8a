import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { nodeFileSystem, readDocumentSnapshot } from '@kilndb/snapshot';
import { FaultyFileSystem } from '@kilndb/snapshot/testing';
import { Database } from '../database.js';
import { internalsOf } from '../internals.js';
import { isHeld } from '../state/state.js';
import { tempDir } from '../test-support/temp-dir.js';
import type { DatabaseWarning } from '../warnings.js';

const logFiles = (dir: string): string[] => readdirSync(path.join(dir, 'log')).filter((name) => name.endsWith('.log'));

describe('compaction', () => {
  it('writes a KILNDOCS snapshot covering the log, retires the segments it covers, and reopens from it', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    const c = db.collection('c');
    for (let i = 0; i < 50; i++) await c.set(`k${i % 10}`, { i });
    await c.delete('k9');
    const info = await db.compact();
    expect(info).toMatchObject({ path: path.join(dir, 'snapshot.kilndocs'), seq: 51, written: true, retiredSegments: 1 });
    expect(logFiles(dir)).toEqual(['00000000000000000052.log']);
    const snapshot = await readDocumentSnapshot(nodeFileSystem, info.path);
    expect(snapshot).toMatchObject({ seq: 51, encrypted: false, count: 1 + 1 + 9 });
    await c.set('after', { i: -1 });
    await db.close();

    const reopened = await Database.open(dir);
    const r = reopened.collection('c');
    expect(r.count()).toBe(10);
    expect(r.get('k3')).toEqual({ _key: 'k3', _v: 5, i: 43 });
    expect(r.get('after')).toMatchObject({ i: -1 });
    expect(reopened.stats().snapshot).toEqual({ seq: 51, path: info.path });
    // The _seq counter survives compaction even though the newest document is gone.
    await r.set('fresh', {});
    expect(internalsOf(reopened).state.doc('c', 'fresh')?._seq).toBe(12);
    await reopened.close();
  });

  it('holds snapshot documents unparsed until first used, and writes untouched ones back byte for byte', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').insert({ a: { n: 1, naïve: 'ü' }, b: { n: 2 }, c: { n: 3 } });
    await db.compact();
    await db.close();
    const first = await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'snapshot.kilndocs'));

    const reopened = await Database.open(dir);
    const held = internalsOf(reopened).state.collections.get('c')!.docs;
    expect([...held.values()].every((doc) => isHeld(doc))).toBe(true);
    expect(reopened.collection('c').get('a')).toEqual({ _key: 'a', _v: 1, n: 1, naïve: 'ü' });
    expect(isHeld(held.get('a'))).toBe(false);
    expect(isHeld(held.get('b'))).toBe(true);
    await reopened.collection('c').set('d', { n: 4 });
    await reopened.compact();
    await reopened.close();
    const second = await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'snapshot.kilndocs'));
    // Entries 2..4 are a, b, c: b and c were never parsed and are copied as they were; a is re-encoded.
    expect(second!.entries.slice(2, 5).map((e) => Buffer.from(e).toString('hex'))).toEqual(first!.entries.slice(2, 5).map((e) => Buffer.from(e).toString('hex')));
    const again = await Database.open(dir);
    expect(again.collection('c').keys()).toEqual(['a', 'b', 'c', 'd']);
    expect(again.collection('c').get('c')).toMatchObject({ n: 3 });
    await again.close();
  });

  it('does nothing when nothing was committed since the last snapshot', async () => {
    const db = await Database.open(tempDir());
    await db.collection('c').set('k', {});
    const first = await db.compact();
    const second = await db.snapshot();
    expect(second).toEqual({ path: first.path, seq: first.seq, retiredSegments: 0, written: false });
    await db.close();
  });

  it('loses no write made while it runs', async () => {
    const dir = tempDir();
    const db = await Database.open(dir, { durability: 'flush' });
    const c = db.collection('c');
    for (let i = 0; i < 20; i++) await c.insert(Array.from({ length: 500 }, (_, j) => ({ _key: `old-${i}-${j}`, i, j })));
    let compacting = true;
    const compaction = db.compact().finally(() => (compacting = false));
    let written = 0;
    const writer = async (lane: number): Promise<void> => {
      for (let i = 0; compacting || i < 10; i++) {
        await c.set(`new-${lane}-${i}`, { i });
        written++;
      }
    };
    const [info] = await Promise.all([compaction, writer(0), writer(1), writer(2), writer(3)]);
    const lastSeq = db.seq;
    // Writes went on while the snapshot was written: some landed after its point, in the new segment.
    expect(info.seq).toBeLessThan(lastSeq - 40);
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collection('c').count()).toBe(10_000 + written);
    for (let lane = 0; lane < 4; lane++) expect(reopened.collection('c').get(`new-${lane}-9`)).toMatchObject({ i: 9 });
    expect(reopened.seq).toBe(lastSeq);
    await reopened.close();
  });

  it('leaves the log intact when the snapshot cannot be written, and succeeds later', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const db = await Database.open(dir, { fs });
    for (let i = 0; i < 20; i++) await db.collection('c').set(`k${i}`, { i });
    fs.failOn({ op: 'write', path: /snapshot\.kilndocs\.next/, code: 'ENOSPC' });
    await expect(db.compact()).rejects.toMatchObject({ code: 'ENOSPC' });
    await db.collection('c').set('after-failure', {});
    expect(existsSync(path.join(dir, 'snapshot.kilndocs'))).toBe(false);
    expect(logFiles(dir)).toHaveLength(2);
    const info = await db.compact();
    expect(info.retiredSegments).toBe(2);
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collection('c').count()).toBe(21);
    await reopened.close();
  });

  it('keeps every acknowledged write when the machine loses power at any point of a compaction', async () => {
    const dir = tempDir();
    const seed = await Database.open(dir);
    await seed.collection('c').insert(Array.from({ length: 30 }, (_, i) => ({ _key: `k${i}`, i })));
    await seed.compact();
    await seed.collection('c').update('k0', { i: 'updated' });
    await seed.collection('c').delete('k1');
    await seed.close();
    const template = path.join(tempDir(), 'template');
    cpSync(dir, template, { recursive: true });

    // Count the mutations of a clean compaction, then crash after each of them in turn.
    const probe = new FaultyFileSystem(dir);
    const probeDb = await Database.open(dir, { fs: probe });
    const before = probe.mutationCount;
    await probeDb.compact();
    const mutations = probe.mutationCount - before;
    await probeDb.close();
    expect(mutations).toBeGreaterThan(8);

    for (let point = 0; point < mutations; point++) {
      const runDir = path.join(tempDir(), `crash-${point}`);
      cpSync(template, runDir, { recursive: true });
      const fs = new FaultyFileSystem(runDir, { seed: point + 1 });
      const db = await Database.open(runDir, { fs });
      fs.crashAfter(point);
      await db.compact().catch(() => undefined);
      if (!fs.crashed) await fs.crash();
      rmSync(path.join(runDir, 'LOCK'), { force: true });
      const reopened = await Database.open(runDir, { onWarning: () => undefined });
      const c = reopened.collection('c');
      expect(c.count(), `crash after mutation ${point}`).toBe(29);
      expect(c.get('k0')?.i, `crash after mutation ${point}`).toBe('updated');
      expect(c.get('k1')).toBeUndefined();
      expect(c.get('k29')).toMatchObject({ i: 29 });
      await reopened.collection('c').set('writable', {});
      await reopened.compact();
      await reopened.close();
    }
  });

  it('runs by itself once the log outgrows compactThresholdBytes', async () => {
    const dir = tempDir();
    const db = await Database.open(dir, { compactThresholdBytes: 8 * 1024 });
    const c = db.collection('c');
    for (let i = 0; i < 200; i++) await c.set(`k${i % 20}`, { i, pad: 'x'.repeat(100) });
    await vi.waitFor(() => {
      expect(db.stats().compactions).toBeGreaterThan(0);
    });
    await db.close();
    expect(existsSync(path.join(dir, 'snapshot.kilndocs'))).toBe(true);
    const reopened = await Database.open(dir);
    expect(reopened.collection('c').count()).toBe(20);
    expect(reopened.collection('c').get('k19')).toMatchObject({ i: 199 });
    await reopened.close();
  });
});

describe('automatic compaction failures', () => {
  it('are warnings, retried only after the log grows by another threshold', async () => {
    const dir = tempDir();
    const fs = new FaultyFileSystem(dir);
    const warnings: DatabaseWarning[] = [];
    const db = await Database.open(dir, { fs, compactThresholdBytes: 4096, onWarning: (w) => warnings.push(w) });
    fs.failOn({ op: 'write', path: /snapshot\.kilndocs\.next/, code: 'ENOSPC', times: Infinity });
    const c = db.collection('c');
    for (let i = 0; i < 60; i++) await c.set(`k${i}`, { pad: 'x'.repeat(100) });
    await vi.waitFor(() => {
      expect(warnings.length).toBeGreaterThan(0);
    });
    await vi.waitFor(() => {
      expect(db.stats().compacting).toBe(false);
    });
    // One attempt per 4 KiB of log growth, not one per commit.
    expect(warnings.length).toBeLessThanOrEqual(Math.ceil(db.stats().log.bytes / 4096));
    expect(warnings.length).toBeLessThan(10);
    expect(new Set(warnings.map((w) => w.code))).toEqual(new Set(['compaction-failed']));
    expect(warnings[0]!.message).toContain('ENOSPC');
    fs.clearFaults();
    for (let i = 0; i < 40; i++) await c.set(`more${i}`, { pad: 'x'.repeat(100) });
    await vi.waitFor(() => {
      expect(db.stats().compactions).toBe(1);
    });
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collection('c').count()).toBe(100);
    await reopened.close();
  });
});

describe('backups', () => {
  it('moves the previous snapshot to backup/ under names that never collide, keeping backupsToKeep', async () => {
    const dir = tempDir();
    const db = await Database.open(dir, { backupsToKeep: 2 });
    for (let round = 0; round < 5; round++) {
      await db.collection('c').set(`k${round}`, { round });
      await db.compact();
    }
    const backups = readdirSync(path.join(dir, 'backup')).sort();
    expect(backups).toHaveLength(2);
    expect(backups.every((name) => name.startsWith('snapshot.kilndocs.') && name.endsWith('.bak'))).toBe(true);
    const seqs = await Promise.all(backups.map(async (name) => (await readDocumentSnapshot(nodeFileSystem, path.join(dir, 'backup', name)))?.seq));
    expect(seqs).toEqual([3, 4]);
    await db.close();
  });

  it('runs the post-backup hook with the snapshot path, without a shell', async () => {
    const dir = tempDir();
    const out = path.join(tempDir(), 'hook-args.json');
    const script = writeScript(`require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));`);
    const db = await Database.open(dir, { postBackupHook: { command: process.execPath, args: [script, '$HOME', '; echo hi'] } });
    await db.collection('c').set('k', {});
    const info = await db.compact();
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(['$HOME', '; echo hi', info.path]);
    await db.close();
  });

  it('reports a failing or hanging hook as a warning and keeps the snapshot', async () => {
    const dir = tempDir();
    const warnings: DatabaseWarning[] = [];
    const failing = writeScript("process.stderr.write('upload refused'); process.exit(3);");
    const db = await Database.open(dir, { postBackupHook: { command: process.execPath, args: [failing] }, onWarning: (w) => warnings.push(w) });
    await db.collection('c').set('k', {});
    await expect(db.compact()).resolves.toMatchObject({ written: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'post-backup-hook-failed' });
    expect(warnings[0]!.message).toContain('upload refused');
    await db.close();

    const hanging = writeScript('setTimeout(() => undefined, 60_000);');
    const slow = await Database.open(dir, { postBackupHook: { command: process.execPath, args: [hanging], timeoutMs: 300 }, onWarning: (w) => warnings.push(w) });
    await slow.collection('c').set('k2', {});
    await slow.compact();
    expect(warnings[1]!.message).toContain('timed out after 300 ms');
    await slow.close();

    const missing = await Database.open(dir, { postBackupHook: path.join(dir, 'no-such-program'), onWarning: (w) => warnings.push(w) });
    await missing.collection('c').set('k3', {});
    await missing.compact();
    expect(warnings[2]!.message).toContain('ENOENT');
    expect(missing.collection('c').count()).toBe(3);
    await missing.close();
  });
});

function writeScript(source: string): string {
  const file = path.join(tempDir(), 'hook.cjs');
  writeFileSync(file, source);
  return file;
}
