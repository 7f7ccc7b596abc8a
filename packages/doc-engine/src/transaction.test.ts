import { appendFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanBuffer, type StoreRecord } from '@kilndb/wal-format';
import { Database } from './database.js';
import { internalsOf } from './internals.js';
import { ConflictError, ReservedFieldError, TransactionClosedError } from './errors.js';
import { decodeEntry, type LogEntry } from './log/log-entry.js';
import type { Commit } from './log/entry-replay.js';
import { insertEntry, txBegin, txCommit, writeSegment } from './test-support/hand-built-log.js';
import { tempDir } from './test-support/temp-dir.js';
import type { DatabaseWarning } from './warnings.js';

describe('transactions', () => {
  it('commit every write at once, in one group write, as TX_BEGIN … TX_COMMIT', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    const commits: Commit[] = [];
    db.onChange((commit) => commits.push(commit));
    const writesBefore = db.stats().log.writes;
    const result = await db.transaction(async (tx) => {
      const accounts = tx.collection('accounts');
      await accounts.set('alice', { balance: 70 });
      await accounts.set('bob', { balance: 30 });
      await tx.collection('audit').insert([{ what: 'transfer' }]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(db.stats().log.writes - writesBefore).toBe(1);
    expect(commits).toHaveLength(1);
    expect(commits[0]!.txId).toMatch(/^[0-9a-f-]{36}$/);
    expect(commits[0]!.entries.map((e) => [e.seq, e.entry.key])).toEqual([
      [2, 'alice'],
      [3, 'bob'],
      [4, expect.any(String)],
    ]);
    expect(commits[0]!.seq).toBe(5);
    await db.close();

    const records = scanBuffer(readFileSync(`${dir}/log/00000000000000000001.log`)).entries;
    const logged = records.map(({ record }) => decodeEntry((record as StoreRecord).payload) as LogEntry);
    expect(logged.map((entry) => [entry.cmd, entry.key, entry.tx])).toEqual([
      ['TX_BEGIN', commits[0]!.txId, undefined],
      ['INSERT', 'alice', commits[0]!.txId],
      ['INSERT', 'bob', commits[0]!.txId],
      ['INSERT', expect.any(String), commits[0]!.txId],
      ['TX_COMMIT', commits[0]!.txId, undefined],
    ]);
    expect(records.map(({ record }) => Number(record.type === 'store' ? record.id : -1))).toEqual([1, 2, 3, 4, 5]);
    const reopened = await Database.open(dir);
    expect(reopened.collection('accounts').get('alice')).toMatchObject({ balance: 70 });
    expect(reopened.collection('audit').count()).toBe(1);
    await reopened.close();
  });

  it('apply nothing, in memory or on disk, when the callback throws', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('k', { v: 1 });
    // The log's data, not the file's size: while open the file also holds the zeros the log preallocates.
    const sizeBefore = db.stats().log.activeSegmentBytes;
    await expect(
      db.transaction(async (tx) => {
        await tx.collection('c').set('k', { v: 2 });
        await tx.collection('c').set('other', { v: 2 });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(db.collection('c').get('k')).toMatchObject({ v: 1 });
    expect(db.collection('c').get('other')).toBeUndefined();
    await db.close();
    expect(statSync(`${dir}/log/00000000000000000001.log`).size).toBe(sizeBefore);
  });

  it('see their own writes, deletes and drops, while others see none of them until the commit', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.insert({ a: { n: 1 }, b: { n: 2 } });
    await db.transaction(async (tx) => {
      const t = tx.collection('c');
      await t.update('a', { n: 10 });
      await t.delete('b');
      await t.set('new', { n: 3 });
      expect(t.get('a')).toEqual({ _key: 'a', _v: 2, n: 10 });
      expect(t.get('b')).toBeUndefined();
      expect(t.keys()).toEqual(['a', 'new']);
      expect(t.count()).toBe(2);
      // Outside the transaction nothing has happened yet.
      expect(c.get('a')).toMatchObject({ n: 1 });
      expect(c.get('b')).toMatchObject({ n: 2 });
      expect(c.get('new')).toBeUndefined();
      await t.drop();
      expect(t.count()).toBe(0);
      await t.set('after-drop', { n: 4 });
      expect(t.keys()).toEqual(['after-drop']);
    });
    expect(c.keys()).toEqual(['after-drop']);
    expect(internalsOf(db).state.doc('c', 'after-drop')).toMatchObject({ _v: 1 });
    await db.close();
  });

  it('are atomic for readers: a listener never sees half of one', async () => {
    const db = await Database.open(tempDir());
    const a = db.collection('a');
    const b = db.collection('b');
    await a.set('x', { n: 0 });
    await b.set('x', { n: 0 });
    // Every transaction writes to both collections, so at any moment they hold as many documents and agree on x.
    const seen: [number, number][] = [];
    db.onChange(() => {
      expect(a.count()).toBe(b.count());
      seen.push([a.get('x')!.n as number, b.get('x')!.n as number]);
    });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.collection('a').set(`k${i}`, { n: i });
          await tx.collection('b').set(`k${i}`, { n: i });
        }),
      ),
    );
    await db.transaction(async (tx) => {
      await tx.collection('a').set('x', { n: 1 });
      await tx.collection('b').set('x', { n: 1 });
    });
    expect(seen.every(([x, y]) => x === y)).toBe(true);
    expect(seen.at(-1)).toEqual([1, 1]);
    expect(a.count()).toBe(11);
    await db.close();
  });

  it('fail with ConflictError when a document they read was changed by another commit, applying nothing', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.set('k', { n: 1 });
    let attempts = 0;
    const error = await db
      .transaction(async (tx) => {
        attempts++;
        const doc = tx.collection('c').get('k')!;
        await c.update('k', { n: 100 });
        await tx.collection('c').set('k', { n: (doc.n as number) + 1 });
        await tx.collection('c').set('side', { n: 1 });
      })
      .catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain('changed the document after the transaction read it');
    expect(c.get('k')).toMatchObject({ n: 100, _v: 2 });
    expect(c.get('side')).toBeUndefined();
    await db.close();
  });

  it('of two running at once on one key, the second to commit conflicts (optimistic concurrency)', async () => {
    const db = await Database.open(tempDir());
    await db.collection('c').set('k', { n: 0 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const increment = (waitFor?: Promise<void>) =>
      db.transaction(async (tx) => {
        const n = tx.collection('c').get('k')!.n as number;
        await waitFor;
        await tx.collection('c').set('k', { n: n + 1 });
      });
    const slow = increment(gate);
    await increment();
    release();
    await expect(slow).rejects.toBeInstanceOf(ConflictError);
    expect(db.collection('c').get('k')).toMatchObject({ n: 1 });
    await db.close();
  });

  it('conflict when a collection they listed gained a document meanwhile', async () => {
    const db = await Database.open(tempDir());
    await db.collection('c').set('a', {});
    await expect(
      db.transaction(async (tx) => {
        const count = tx.collection('c').count();
        await db.collection('c').set('b', {});
        await tx.collection('summary').set('c', { count });
      }),
    ).rejects.toThrow('after the transaction listed or counted it');
    expect(db.collection('summary').get('c')).toBeUndefined();
    await db.close();
  });

  it('check guards and input at the call, and refuse use after the callback', async () => {
    const db = await Database.open(tempDir());
    await db.collection('c').set('k', { n: 1 });
    let leaked: ReturnType<typeof db.collection> | undefined;
    await db.transaction(async (tx) => {
      const t = tx.collection('c');
      await expect(t.update('k', { n: 2 }, { expectedVersion: 5 })).rejects.toBeInstanceOf(ConflictError);
      await expect(t.set('k', { _hidden: 1 })).rejects.toBeInstanceOf(ReservedFieldError);
      await t.update('k', { n: 2 }, { expectedVersion: 1 });
      await t.update('k', { n: 3 }, { expectedVersion: 2 });
      leaked = t as unknown as ReturnType<typeof db.collection>;
    });
    expect(db.collection('c').get('k')).toMatchObject({ n: 3, _v: 3 });
    expect(() => leaked!.get('k')).toThrow(TransactionClosedError);
    await expect(leaked!.set('k', {})).rejects.toBeInstanceOf(TransactionClosedError);
    await db.close();
  });

  it('without writes write nothing', async () => {
    const db = await Database.open(tempDir());
    const value = await db.transaction((tx) => tx.collection('c').count());
    expect(value).toBe(0);
    expect(db.stats().seq).toBe(0);
    await db.close();
  });
});

describe('transactions at replay', () => {
  it('replay each of two transactions interleaved in the log, and only the committed ones', async () => {
    const dir = tempDir();
    writeSegment(dir, 1, [
      txBegin('t1'),
      txBegin('t2'),
      insertEntry('c', 'a1', { from: 't1' }, 't1'),
      insertEntry('c', 'b1', { from: 't2' }, 't2'),
      insertEntry('c', 'solo'),
      insertEntry('c', 'a2', { from: 't1' }, 't1'),
      txBegin('t3'),
      insertEntry('c', 'never', { from: 't3' }, 't3'),
      txCommit('t2', 1),
      insertEntry('c', 'a3', { from: 't1' }, 't1'),
      txCommit('t1', 3),
    ]);
    const warnings: DatabaseWarning[] = [];
    const db = await Database.open(dir, { onWarning: (w) => warnings.push(w) });
    expect(db.collection('c').keys().sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'solo']);
    expect(db.seq).toBe(11);
    expect(warnings.map((w) => w.code)).toEqual(['unterminated-transaction']);
    // New writes continue after the hand-built records.
    await db.collection('c').set('later', {});
    await db.close();
    const reopened = await Database.open(dir, { onWarning: () => undefined });
    expect(reopened.collection('c').get('later')).toBeDefined();
    expect(reopened.collection('c').get('never')).toBeUndefined();
    await reopened.close();
  });

  it('discard a transaction whose TX_COMMIT was torn off the end of the log', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('before', {});
    await db.transaction(async (tx) => {
      await tx.collection('c').set('t1', {});
      await tx.collection('c').set('t2', {});
    });
    await db.close();
    const file = `${dir}/log/00000000000000000001.log`;
    truncateSync(file, statSync(file).size - 5);
    const warnings: DatabaseWarning[] = [];
    const reopened = await Database.open(dir, { onWarning: (w) => warnings.push(w) });
    expect(reopened.collection('c').keys()).toEqual(['before']);
    expect(warnings.map((w) => w.code).sort()).toEqual(['torn-tail', 'unterminated-transaction']);
    await reopened.collection('c').set('after', {});
    await reopened.close();
    const again = await Database.open(dir, { onWarning: () => undefined });
    expect(again.collection('c').keys().sort()).toEqual(['after', 'before']);
    await again.close();
  });

  it('skip a record whose CRC fails, and with it the whole transaction it belonged to', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.transaction(async (tx) => {
      await tx.collection('c').set('first', { marker: 'AAAA' });
      await tx.collection('c').set('second', {});
    });
    await db.collection('c').set('solo', {});
    await db.close();
    const file = `${dir}/log/00000000000000000001.log`;
    const bytes = readFileSync(file);
    bytes[bytes.indexOf('AAAA')] = 'B'.charCodeAt(0);
    truncateSync(file, 0);
    appendFileSync(file, bytes);
    const warnings: DatabaseWarning[] = [];
    const reopened = await Database.open(dir, { onWarning: (w) => warnings.push(w) });
    expect(reopened.collection('c').keys()).toEqual(['solo']);
    expect(warnings.map((w) => w.code)).toEqual(['corrupt-record', 'incomplete-transaction']);
    await reopened.close();
  });
});
