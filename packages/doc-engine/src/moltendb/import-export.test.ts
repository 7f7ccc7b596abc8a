import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { MissingKeyError } from '../crypto/index.js';
import { Database } from '../database.js';
import { InvalidOptionError } from '../errors.js';
import { ImportTargetNotEmptyError, MoltenDbInputError } from './errors.js';
import { exportJsonl } from './export.js';
import { importMoltenDb, moltenSnapshotPath } from './import.js';
import { replayMoltenDb } from './molten-log-replay.js';
import { encodeMoltenDbSnapshot, entry, logText } from './test-support/molten-fixtures.js';

/** A MoltenDB 0.x directory: a compacted snapshot plus a log with later writes, a torn tail, an open transaction. */
function writeMoltenFixture(dir: string): string {
  const logPath = path.join(dir, 'my_database.log');
  const live = [
    entry('INSERT', 'users', 'u1', { _v: 2, name: 'Ann', createdAt: '2024-01-01T00:00:00Z', address: { _zip: '1010' } }),
    entry('INSERT', 'users', 'u2', { _v: 1, name: 'Bob', _custom: 'dropped' }),
    entry('SCHEMA', 'users', '', { type: 'object', required: ['name'] }),
  ];
  writeFileSync(moltenSnapshotPath(logPath), encodeMoltenDbSnapshot({ seq: 7, entries: live }));
  writeFileSync(
    logPath,
    logText([
      ...live,
      entry('TX_BEGIN', 'orders', 'tx-1'),
      entry('INSERT', 'orders', 'o1', { _v: 1, total: 12.5, items: ['a', 'b'] }),
      entry('INSERT', 'orders', 'o2', { _v: 1, total: 3 }),
      entry('TX_COMMIT', 'orders', 'tx-1'),
      entry('INDEX', 'orders', 'total'),
      entry('INSERT', 'users', 'u3', { _v: 1, name: 'Cy' }),
      entry('INSERT', 'weird', 'n', 42),
      entry('DELETE', 'users', 'u2'),
      entry('TX_BEGIN', 'users', 'tx-2'),
      entry('INSERT', 'users', 'u4', { _v: 1, name: 'never committed' }),
      '{"cmd":"INSERT","collection":"users","key":"u5","val',
    ]),
  );
  return logPath;
}

async function readAll(dir: string, options: { encryptionKey?: string } = {}): Promise<Record<string, Record<string, unknown>>> {
  const db = await Database.open(dir, { ...options, readOnly: true });
  try {
    const out: Record<string, Record<string, unknown>> = {};
    for (const name of db.collections().sort()) {
      const collection = db.collection(name);
      out[name] = Object.fromEntries(collection.keys().sort().map((key) => [key, collection.get(key)]));
    }
    return out;
  } finally {
    await db.close();
  }
}

describe('importMoltenDb', () => {
  it('imports the state MoltenDB holds, without its _ fields, and reports what it did', async () => {
    const logPath = writeMoltenFixture(tempDir());
    const target = path.join(tempDir(), 'kiln');
    const summary = await importMoltenDb(logPath, target);
    expect(await readAll(target)).toEqual({
      orders: {
        o1: { _key: 'o1', _v: 1, total: 12.5, items: ['a', 'b'] },
        o2: { _key: 'o2', _v: 1, total: 3 },
      },
      users: {
        u1: { _key: 'u1', _v: 1, name: 'Ann', createdAt: '2024-01-01T00:00:00Z', address: { _zip: '1010' } },
        u3: { _key: 'u3', _v: 1, name: 'Cy' },
      },
    });
    expect(summary).toMatchObject({
      logPath,
      snapshotPath: moltenSnapshotPath(logPath),
      targetDir: target,
      collections: { users: 2, orders: 2 },
      documents: 4,
      droppedFields: { _v: 4 },
      rejectedDocuments: 1,
      rejectedSamples: [{ collection: 'weird', key: 'n', reason: 'not-an-object' }],
      schemas: { users: { type: 'object', required: ['name'] } },
      indexes: { orders: ['total'] },
      notApplied: [],
    });
    const imported = await Database.open(target);
    try {
      expect(imported.collection('orders').indexes()).toEqual(['total']);
      await expect(imported.collection('users').set('nameless', { age: 3 })).rejects.toThrow(/name/);
    } finally {
      await imported.close();
    }
    expect(summary.replay).toMatchObject({
      lines: 14,
      compactedLogDetected: true,
      coveredBySnapshot: 3,
      skippedUnparsable: 1,
      committedTransactions: 1,
      discardedTransactions: 1,
    });
  });

  it('reports a schema or index KilnDB refuses instead of failing the import', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'db.log');
    writeFileSync(
      logPath,
      logText([
        entry('INSERT', 'c', 'k', { n: 1 }),
        entry('SCHEMA', 'c', '', { type: 'no-such-type' }),
        entry('INDEX', 'c', 'a..b'),
        entry('INDEX', 'c', 'n'),
      ]),
    );
    const summary = await importMoltenDb(logPath, path.join(tempDir(), 'kiln'));
    expect(summary.indexes).toEqual({ c: ['n'] });
    expect(summary.schemas).toEqual({});
    expect(summary.notApplied).toEqual([
      expect.objectContaining({ collection: 'c', what: 'schema' }),
      expect.objectContaining({ collection: 'c', what: 'index', field: 'a..b' }),
    ]);
  });

  it('commits documents in atomic batches of batchSize', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'db.log');
    writeFileSync(logPath, logText(Array.from({ length: 5 }, (_, i) => entry('INSERT', 'c', `k${i}`, { i }))));
    const target = path.join(tempDir(), 'kiln');
    await importMoltenDb(logPath, target, { batchSize: 2 });
    const db = await Database.open(target, { readOnly: true });
    try {
      expect(db.collection('c').count()).toBe(5);
      const commitSizes: number[] = [];
      for await (const commit of db.changes({ sinceSeq: 0 })) {
        commitSizes.push(commit.entries.length);
        if (commit.seq === db.seq) break;
      }
      expect(commitSizes).toEqual([2, 2, 1]);
    } finally {
      await db.close();
    }
  });

  it('creates an encrypted database when given an encryptionKey', async () => {
    const logPath = writeMoltenFixture(tempDir());
    const target = path.join(tempDir(), 'kiln');
    await importMoltenDb(logPath, target, { database: { encryptionKey: 'import passphrase' } });
    expect(readdirSync(target)).toContain('KEYRING');
    await expect(readAll(target)).rejects.toThrow(MissingKeyError);
    expect(Object.keys((await readAll(target, { encryptionKey: 'import passphrase' })).users ?? {})).toEqual(['u1', 'u3']);
  });

  it('replays the log alone with ignoreSnapshot, reading past a damaged snapshot', async () => {
    const dir = tempDir();
    const logPath = path.join(dir, 'db.log');
    writeFileSync(logPath, logText([entry('INSERT', 'c', 'a', { v: 1 })]));
    writeFileSync(moltenSnapshotPath(logPath), Buffer.from('MOLTSNAP\x05\x00'));
    const error = await importMoltenDb(logPath, path.join(tempDir(), 'a')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MoltenDbInputError);
    expect(error).toMatchObject({ problem: 'truncated', path: moltenSnapshotPath(logPath) });
    const summary = await importMoltenDb(logPath, path.join(tempDir(), 'b'), { ignoreSnapshot: true });
    expect(summary).toMatchObject({ documents: 1, snapshotPath: undefined });
  });

  it('names the file and the problem for bad input', async () => {
    const dir = tempDir();
    const target = path.join(tempDir(), 'kiln');
    const problemOf = async (logPath: string): Promise<unknown> =>
      importMoltenDb(logPath, target).then(
        () => 'imported',
        (error: unknown) => {
          expect(error).toBeInstanceOf(MoltenDbInputError);
          expect((error as Error).message).toContain(logPath);
          return (error as MoltenDbInputError).problem;
        },
      );
    expect(await problemOf(path.join(dir, 'absent.log'))).toBe('missing');
    mkdirSync(path.join(dir, 'folder.log'));
    expect(await problemOf(path.join(dir, 'folder.log'))).toBe('not-moltendb');
    writeFileSync(path.join(dir, 'binary.log'), Buffer.from([0x2a, 0, 0, 0, 0x85, 0xa3, 0x63, 0x6d, 0x64]));
    expect(await problemOf(path.join(dir, 'binary.log'))).toBe('not-moltendb');
    writeFileSync(path.join(dir, 'other.log'), '{"level":"info","msg":"hello"}\n{"level":"warn"}\n');
    expect(await problemOf(path.join(dir, 'other.log'))).toBe('not-moltendb');
    writeFileSync(path.join(dir, 'enc.log'), logText([entry('ENC', '', '', 'c2VjcmV0')]));
    expect(await problemOf(path.join(dir, 'enc.log'))).toBe('unsupported');
    writeFileSync(path.join(dir, 'snap.log'), '');
    writeFileSync(moltenSnapshotPath(path.join(dir, 'snap.log')), 'MOLTSNG3 compressed');
    expect(await importMoltenDb(path.join(dir, 'snap.log'), target).catch((error: unknown) => error)).toMatchObject({
      problem: 'unsupported',
      path: moltenSnapshotPath(path.join(dir, 'snap.log')),
    });
    expect(readdirSync(path.dirname(target))).toEqual([]);
  });

  it('imports an empty log as an empty database', async () => {
    const logPath = path.join(tempDir(), 'empty.log');
    writeFileSync(logPath, '');
    const target = path.join(tempDir(), 'kiln');
    expect(await importMoltenDb(logPath, target)).toMatchObject({ documents: 0, collections: {} });
    expect(await readAll(target)).toEqual({});
  });

  it('refuses a target that holds anything, and a bad batchSize', async () => {
    const logPath = writeMoltenFixture(tempDir());
    const target = tempDir();
    writeFileSync(path.join(target, 'keep-me'), 'x');
    await expect(importMoltenDb(logPath, target)).rejects.toThrow(ImportTargetNotEmptyError);
    expect(readdirSync(target)).toEqual(['keep-me']);
    await expect(importMoltenDb(logPath, path.join(tempDir(), 'k'), { batchSize: 0 })).rejects.toThrow(/batchSize/);
  });
});

describe('exportJsonl', () => {
  it('writes one MoltenDB INSERT line per document, with the version as _v and the export time as _t', async () => {
    const dir = path.join(tempDir(), 'kiln');
    const db = await Database.open(dir);
    await db.collection('users').set('a', { name: 'Ann', tags: ['x'] });
    await db.collection('users').set('a', { name: 'Anne', tags: ['x'] });
    await db.collection('users').set('b', { name: 'Bob' });
    await db.collection('empty').set('gone', { v: 1 });
    await db.collection('empty').delete('gone');
    await db.close();
    const out = path.join(tempDir(), 'export.log');
    writeFileSync(out, 'previous content');
    const summary = await exportJsonl(dir, out, { database: { clock: () => 1_700_000_000_123 } });
    expect(summary).toEqual({ dir, out, collections: { users: 2 }, documents: 2, time: 1_700_000_000_123 });
    expect(readFileSync(out, 'utf8')).toBe(
      '{"cmd":"INSERT","collection":"users","key":"a","value":{"_v":2,"name":"Anne","tags":["x"]},"_t":1700000000123}\n' +
        '{"cmd":"INSERT","collection":"users","key":"b","value":{"_v":1,"name":"Bob"},"_t":1700000000123}\n',
    );
  });

  it('round-trips: MoltenDB → import → export → import gives the same documents', async () => {
    const logPath = writeMoltenFixture(tempDir());
    const first = path.join(tempDir(), 'first');
    await importMoltenDb(logPath, first);
    const exported = path.join(tempDir(), 'exported.log');
    const summary = await exportJsonl(first, exported);
    expect(summary.documents).toBe(4);
    const replay = replayMoltenDb(readFileSync(exported, 'utf8').split('\n').filter((line) => line !== ''));
    expect(replay.stats).toMatchObject({ skippedUnparsable: 0, applied: 4 });
    const second = path.join(tempDir(), 'second');
    const again = await importMoltenDb(exported, second);
    expect(again).toMatchObject({ documents: 4, rejectedDocuments: 0, droppedFields: { _v: 4 } });
    expect(await readAll(second)).toEqual(await readAll(first));
  });

  it('exports an encrypted database when given its key', async () => {
    const dir = path.join(tempDir(), 'kiln');
    const db = await Database.open(dir, { encryptionKey: new Uint8Array(32).fill(7) });
    await db.collection('c').set('k', { secret: 'plain in the export' });
    await db.close();
    const out = path.join(tempDir(), 'out.log');
    await expect(exportJsonl(dir, out)).rejects.toThrow(MissingKeyError);
    await exportJsonl(dir, out, { database: { encryptionKey: new Uint8Array(32).fill(7) } });
    expect(readFileSync(out, 'utf8')).toContain('"secret":"plain in the export"');
  });

  it('creates a missing directory for out, and names a path that cannot be one', async () => {
    const dir = path.join(tempDir(), 'kiln');
    const db = await Database.open(dir);
    await db.collection('c').set('k', { v: 1 });
    await db.close();
    const base = tempDir();
    const out = path.join(base, 'not', 'yet', 'there.log');
    expect((await exportJsonl(dir, out)).documents).toBe(1);
    expect(readFileSync(out, 'utf8')).toContain('"key":"k"');
    writeFileSync(path.join(base, 'file'), 'x');
    for (const blocked of [path.join(base, 'file', 'out.log'), path.join(base, 'file', 'deeper', 'out.log')]) {
      const error: unknown = await exportJsonl(dir, blocked).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(`invalid option out: cannot create the directory ${path.dirname(blocked)}: a part of its path is a file`);
    }
  });
});
