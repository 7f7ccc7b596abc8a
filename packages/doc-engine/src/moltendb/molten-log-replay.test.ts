import { describe, expect, it } from 'vitest';
import { formatMoltenLogEntry } from './log-entry.js';
import { MoltenReplayer, replayMoltenDb } from './molten-log-replay.js';
import { entry } from './test-support/molten-fixtures.js';

const line = (cmd: string, collection: string, key: string, value: unknown = null): string =>
  formatMoltenLogEntry(entry(cmd, collection, key, value));

function docs(replay: ReturnType<typeof replayMoltenDb>, collection: string): Record<string, unknown> {
  return Object.fromEntries(replay.collections.get(collection) ?? []);
}

describe('replayMoltenDb: plain entries', () => {
  it('applies INSERT (overwriting), DELETE and DROP in log order', () => {
    const replay = replayMoltenDb([
      line('INSERT', 'users', 'a', { name: 'Ann', _v: 1 }),
      line('INSERT', 'users', 'b', { name: 'Bob', _v: 1 }),
      line('INSERT', 'users', 'a', { name: 'Anne', _v: 2 }),
      line('DELETE', 'users', 'b'),
      line('DELETE', 'users', 'missing'),
      line('DELETE', 'nowhere', 'x'),
      line('INSERT', 'logs', '1', { msg: 'x' }),
      line('DROP', 'logs', ''),
    ]);
    expect(docs(replay, 'users')).toEqual({ a: { name: 'Anne', _v: 2 } });
    expect(replay.collections.has('logs')).toBe(false);
    expect(replay.collections.has('nowhere')).toBe(false);
    expect(replay.stats).toMatchObject({ lines: 8, applied: 8, skippedUnparsable: 0, discardedTransactions: 0 });
  });

  it('records SCHEMA per collection (the last one wins) and INDEX fields; DROP keeps both, as MoltenDB does', () => {
    const schemaV1 = { type: 'object', required: ['name'] };
    const schemaV2 = { type: 'object', properties: { age: { type: 'number' } } };
    const replay = replayMoltenDb([
      line('SCHEMA', 'users', '', schemaV1),
      line('INDEX', 'users', 'age'),
      line('INDEX', 'users', 'name'),
      line('INDEX', 'users', 'age'),
      line('SCHEMA', 'users', '', schemaV2),
      line('SCHEMA', 'users', '', null),
      line('SCHEMA', 'users', '', 'not a schema'),
      line('INSERT', 'users', 'a', { age: 3 }),
      line('DROP', 'users', ''),
    ]);
    expect(replay.schemas.get('users')).toEqual(schemaV2);
    expect([...(replay.indexes.get('users') ?? [])]).toEqual(['age', 'name']);
    expect(replay.collections.has('users')).toBe(false);
    expect(replay.stats.ignoredSchemas).toBe(2);
    expect(replay.stats.applied).toBe(7);
  });

  it('skips and counts unknown commands without applying them', () => {
    const replay = replayMoltenDb([
      line('ENC', 'users', '', 'bm90IHJlYWxseQ=='),
      line('TTL_EXPIRY', 'users', '1700000000000'),
      line('ENC', 'users', '', 'YWdhaW4='),
      line('INSERT', 'users', 'a', { n: 1 }),
    ]);
    expect(replay.stats.unknownCommands).toEqual({ ENC: 2, TTL_EXPIRY: 1 });
    expect(replayMoltenDb([line('__proto__', 'c', 'k')]).stats.unknownCommands['__proto__']).toBe(1);
    expect(replay.stats.applied).toBe(1);
    expect(docs(replay, 'users')).toEqual({ a: { n: 1 } });
  });
});

describe('replayMoltenDb: unparsable lines', () => {
  it('skips and counts every kind of line MoltenDB cannot parse, and applies the lines around them', () => {
    const good = (key: string): string => line('INSERT', 'c', key, { key });
    const replay = replayMoltenDb([
      good('1'),
      '{"cmd":"INSERT","collection":"c","key":"torn","value":{"a":', // torn write
      '',
      '   ',
      '[1,2,3]',
      '"just a string"',
      'null',
      '{"collection":"c","key":"k","value":1,"_t":1}', // no cmd
      '{"cmd":"INSERT","collection":"c","key":7,"value":1,"_t":1}', // key not a string
      '{"cmd":"INSERT","collection":null,"key":"k","value":1,"_t":1}',
      '{"cmd":"INSERT","collection":"c","key":"k","value":1,"_t":-5}',
      '{"cmd":"INSERT","collection":"c","key":"k","value":1,"_t":1.5}',
      '{"cmd":"INSERT","collection":"c","key":"k","value":1,"_t":"yesterday"}',
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), // not UTF-8
      good('2'),
    ]);
    expect(replay.stats.skippedUnparsable).toBe(13);
    expect(replay.stats.lines).toBe(15);
    expect(replay.stats.applied).toBe(2);
    expect(docs(replay, 'c')).toEqual({ 1: { key: '1' }, 2: { key: '2' } });
  });

  it('reads a missing value as null and accepts a missing _t (logs from before MoltenDB had it); ignores unknown fields', () => {
    const replay = replayMoltenDb([
      '{"cmd":"INSERT","collection":"c","key":"a","value":{"x":1}}',
      '{"cmd":"INSERT","collection":"c","key":"b","value":{"y":2},"_t":5,"extra":true}',
      '{"cmd":"DELETE","collection":"c","key":"a","_t":6}',
      new TextEncoder().encode('{"cmd":"INSERT","collection":"c","key":"ü","value":"bytes line","_t":7}'),
    ]);
    expect(docs(replay, 'c')).toEqual({ b: { y: 2 }, ü: 'bytes line' });
    expect(replay.stats.skippedUnparsable).toBe(0);
  });
});

describe('replayMoltenDb: transactions', () => {
  it('applies a transaction only at its TX_COMMIT, and drops one the log ends inside', () => {
    const replay = replayMoltenDb([
      line('INSERT', 'users', 'a', { v: 1 }),
      line('TX_BEGIN', 'users', 'tx1'),
      line('INSERT', 'users', 'a', { v: 2 }),
      line('INSERT', 'users', 'b', { v: 2 }),
      line('TX_COMMIT', 'users', 'tx1'),
      line('TX_BEGIN', 'users', 'tx2'),
      line('INSERT', 'users', 'a', { v: 3 }),
      line('DELETE', 'users', 'b'),
    ]);
    expect(docs(replay, 'users')).toEqual({ a: { v: 2 }, b: { v: 2 } });
    expect(replay.stats).toMatchObject({
      committedTransactions: 1,
      discardedTransactions: 1,
      discardedEntries: 2,
      applied: 3,
    });
  });

  it('holds a transaction\'s entries until the commit: state read mid-transaction is the state before it', () => {
    const replayer = new MoltenReplayer();
    replayer.pushLine(line('INSERT', 'users', 'a', { v: 1 }));
    replayer.pushLine(line('TX_BEGIN', 'users', 'tx1'));
    replayer.pushLine(line('INSERT', 'users', 'a', { v: 2 }));
    replayer.pushLine(line('TX_COMMIT', 'users', 'other-id'));
    replayer.pushLine(line('INSERT', 'users', 'a', { v: 3 }));
    replayer.pushLine(line('TX_COMMIT', 'users', 'tx1'));
    const replay = replayer.finish();
    // A commit naming another id does not close tx1; the v:3 entry still belongs to it, so v:3 wins at commit.
    expect(docs(replay, 'users')).toEqual({ a: { v: 3 } });
    expect(replay.stats.orphanCommits).toBe(1);
    expect(replay.stats.committedTransactions).toBe(1);
  });

  it('replays interleaved transactions of different collections by id (MoltenDB drops the first one here)', () => {
    // MoltenDB keeps one current transaction: TX_BEGIN of tx2 clears tx1's buffered users/a, and tx1's
    // commit no longer matches. Tracking by id (entries go to the open transaction of their collection) keeps both.
    const replay = replayMoltenDb([
      line('TX_BEGIN', 'users', 'tx1'),
      line('INSERT', 'users', 'a', { n: 1 }),
      line('TX_BEGIN', 'orders', 'tx2'),
      line('INSERT', 'orders', 'x', { n: 2 }),
      line('INSERT', 'users', 'b', { n: 3 }),
      line('TX_COMMIT', 'users', 'tx1'),
      line('INSERT', 'orders', 'y', { n: 4 }),
      line('TX_COMMIT', 'orders', 'tx2'),
    ]);
    expect(docs(replay, 'users')).toEqual({ a: { n: 1 }, b: { n: 3 } });
    expect(docs(replay, 'orders')).toEqual({ x: { n: 2 }, y: { n: 4 } });
    expect(replay.stats).toMatchObject({ interleavedTransactions: 1, committedTransactions: 2, discardedTransactions: 0, applied: 4 });
  });

  it('keeps a committed interleaved transaction when the other never commits', () => {
    const replay = replayMoltenDb([
      line('TX_BEGIN', 'users', 'tx1'),
      line('INSERT', 'users', 'a', { n: 1 }),
      line('TX_BEGIN', 'orders', 'tx2'),
      line('INSERT', 'orders', 'x', { n: 2 }),
      line('TX_COMMIT', 'orders', 'tx2'),
    ]);
    expect(replay.collections.has('users')).toBe(false);
    expect(docs(replay, 'orders')).toEqual({ x: { n: 2 } });
    expect(replay.stats).toMatchObject({ committedTransactions: 1, discardedTransactions: 1, discardedEntries: 1 });
  });

  it('applies at once an entry of a collection no open transaction is on, even if that transaction never commits', () => {
    const replay = replayMoltenDb([
      line('TX_BEGIN', 'users', 'tx1'),
      line('INSERT', 'users', 'a', { n: 1 }),
      line('INSERT', 'audit', 'e1', { what: 'outside any transaction' }),
      line('DROP', 'tmp', ''),
    ]);
    expect(docs(replay, 'audit')).toEqual({ e1: { what: 'outside any transaction' } });
    expect(replay.collections.has('users')).toBe(false);
    expect(replay.stats).toMatchObject({ applied: 2, discardedEntries: 1 });
  });

  it('gives an entry to the later of two open transactions on its collection and counts it as ambiguous', () => {
    const replay = replayMoltenDb([
      line('TX_BEGIN', 'users', 'tx1'),
      line('INSERT', 'users', 'a', { n: 1 }),
      line('TX_BEGIN', 'users', 'tx2'),
      line('INSERT', 'users', 'b', { n: 2 }),
      line('TX_COMMIT', 'users', 'tx2'),
      line('INSERT', 'users', 'c', { n: 3 }),
    ]);
    // users/a went to tx1 (alone at the time), users/b to tx2 (ambiguous), users/c to tx1 again (tx2 closed).
    expect(docs(replay, 'users')).toEqual({ b: { n: 2 } });
    expect(replay.stats).toMatchObject({ ambiguousTransactionEntries: 1, discardedTransactions: 1, discardedEntries: 2 });
  });

  it('discards the open transaction when its id begins again', () => {
    const replay = replayMoltenDb([
      line('TX_BEGIN', 'users', 'same'),
      line('INSERT', 'users', 'a', { n: 1 }),
      line('TX_BEGIN', 'users', 'same'),
      line('INSERT', 'users', 'b', { n: 2 }),
      line('TX_COMMIT', 'users', 'same'),
    ]);
    expect(docs(replay, 'users')).toEqual({ b: { n: 2 } });
    expect(replay.stats).toMatchObject({ discardedTransactions: 1, discardedEntries: 1, committedTransactions: 1, interleavedTransactions: 0 });
  });

  it('refuses lines after finish', () => {
    const replayer = new MoltenReplayer();
    replayer.finish();
    expect(() => {
      replayer.pushLine(line('INSERT', 'c', 'k', {}));
    }).toThrow(/after finish/);
  });
});

describe('replayMoltenDb: snapshot and seq', () => {
  it('applies the snapshot first, skips the seq lines it covers (unparsable ones count), then replays the rest', () => {
    const snapshot = {
      seq: 4,
      entries: [entry('INSERT', 'users', 'a', { v: 'snap' }), entry('INSERT', 'users', 'b', { v: 'snap' }), entry('SCHEMA', 'users', '', { type: 'object' })],
    };
    const replay = replayMoltenDb(
      [
        line('INSERT', 'users', 'a', { v: 'old' }),
        'torn line',
        line('INSERT', 'users', 'b', { v: 'old' }),
        line('INSERT', 'users', 'z', { v: 'old' }),
        line('INSERT', 'users', 'c', { v: 'new' }),
        line('DELETE', 'users', 'b'),
      ],
      snapshot,
    );
    expect(docs(replay, 'users')).toEqual({ a: { v: 'snap' }, c: { v: 'new' } });
    expect(replay.schemas.get('users')).toEqual({ type: 'object' });
    expect(replay.stats).toMatchObject({
      lines: 6,
      snapshotEntries: 3,
      coveredBySnapshot: 4,
      applied: 2,
      skippedUnparsable: 0,
      compactedLogDetected: false,
    });
  });

  it('covers every line when the log is shorter than seq and does not start with the snapshot', () => {
    const replay = replayMoltenDb([line('INSERT', 'c', 'x', { v: 1 }), line('INSERT', 'c', 'y', { v: 1 })], {
      seq: 10,
      entries: [entry('INSERT', 'c', 'k', { v: 'snap' })],
    });
    expect(docs(replay, 'c')).toEqual({ k: { v: 'snap' } });
    expect(replay.stats).toMatchObject({ coveredBySnapshot: 2, applied: 0, compactedLogDetected: false });
  });

  it('detects a log MoltenDB rewrote at compaction (it starts with the snapshot entries) and replays the lines after them', () => {
    // MoltenDB compaction: snapshot with seq = the old log's 6 lines, then the log replaced by the 2 live
    // entries; later writes append after those. MoltenDB's own replay skips 6 lines and loses them.
    const live = [entry('INSERT', 'c', 'a', { v: 1 }), entry('INSERT', 'c', 'b', { v: 1 })];
    const replay = replayMoltenDb(
      [...live.map(formatMoltenLogEntry), line('INSERT', 'c', 'new1', { v: 2 }), line('DELETE', 'c', 'a'), line('INSERT', 'c', 'new2', { v: 2 })],
      { seq: 6, entries: live },
    );
    expect(docs(replay, 'c')).toEqual({ b: { v: 1 }, new1: { v: 2 }, new2: { v: 2 } });
    expect(replay.stats).toMatchObject({ compactedLogDetected: true, coveredBySnapshot: 2, applied: 3 });
  });

  it('falls back to seq when the log only partly starts with the snapshot entries', () => {
    const live = [entry('INSERT', 'c', 'a', { v: 1 }), entry('INSERT', 'c', 'b', { v: 1 })];
    const replay = replayMoltenDb(
      [formatMoltenLogEntry(live[0]!), line('INSERT', 'c', 'b', { v: 'differs' }), line('INSERT', 'c', 'x', {}), line('INSERT', 'c', 'after-seq', {})],
      { seq: 3, entries: live },
    );
    expect(replay.stats).toMatchObject({ compactedLogDetected: false, coveredBySnapshot: 3, applied: 1 });
    expect(docs(replay, 'c')).toEqual({ a: { v: 1 }, b: { v: 1 }, 'after-seq': {} });
  });

  it('treats an empty snapshot with seq > 0 and any log as a rewritten log: replaying it whole over the empty state', () => {
    const replay = replayMoltenDb([line('INSERT', 'c', 'a', { v: 1 })], { seq: 3, entries: [] });
    expect(docs(replay, 'c')).toEqual({ a: { v: 1 } });
    expect(replay.stats.compactedLogDetected).toBe(true);
  });

  it('splits a transaction at seq the way MoltenDB does: its begin is covered, its commit is orphaned, its entries apply', () => {
    const replay = replayMoltenDb(
      [line('TX_BEGIN', 'c', 'tx'), line('INSERT', 'c', 'a', { v: 1 }), line('INSERT', 'c', 'b', { v: 1 }), line('TX_COMMIT', 'c', 'tx')],
      { seq: 2, entries: [entry('INSERT', 'c', 'a', { v: 1 }), entry('INSERT', 'c', 'z', { v: 0 })] },
    );
    expect(docs(replay, 'c')).toEqual({ a: { v: 1 }, z: { v: 0 }, b: { v: 1 } });
    expect(replay.stats).toMatchObject({ orphanCommits: 1, applied: 1, coveredBySnapshot: 2 });
  });
});
