import { describe, expect, it } from 'vitest';
import type { LogEntry } from './log-entry.js';
import { CommitAssembler, type Commit } from './entry-replay.js';
import type { DatabaseWarning } from '../warnings.js';

function insert(key: string, tx?: string): LogEntry {
  const value = { _key: key, _v: 1, _seq: 1, _createdAt: 0, _modifiedAt: 0 };
  return tx === undefined ? { cmd: 'INSERT', collection: 'c', key, value, _t: 0 } : { cmd: 'INSERT', collection: 'c', key, value, _t: 0, tx };
}
const begin = (id: string): LogEntry => ({ cmd: 'TX_BEGIN', collection: '', key: id, value: null, _t: 0 });
const commit = (id: string, count: number): LogEntry => ({ cmd: 'TX_COMMIT', collection: '', key: id, value: { count }, _t: 0 });

function assemble(entries: readonly LogEntry[]): { commits: Commit[]; warnings: DatabaseWarning[]; discarded: number } {
  const commits: Commit[] = [];
  const warnings: DatabaseWarning[] = [];
  const assembler = new CommitAssembler((c) => commits.push(c), (w) => warnings.push(w), 'test-log');
  entries.forEach((entry, i) => {
    assembler.push(i + 1, entry);
  });
  return { commits, warnings, discarded: assembler.finish() };
}

const keysOf = (c: Commit): string[] => c.entries.map((e) => e.entry.key);

describe('CommitAssembler', () => {
  it('commits an entry outside any transaction on its own', () => {
    const { commits } = assemble([insert('a'), insert('b')]);
    expect(commits.map((c) => [c.seq, c.txId, keysOf(c)])).toEqual([
      [1, undefined, ['a']],
      [2, undefined, ['b']],
    ]);
  });

  it('applies a transaction only at its TX_COMMIT, with the commit seq', () => {
    const { commits } = assemble([begin('t1'), insert('a', 't1'), insert('b', 't1'), commit('t1', 2)]);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatchObject({ seq: 4, txId: 't1' });
    expect(commits[0]!.entries.map((e) => [e.seq, e.entry.key])).toEqual([
      [2, 'a'],
      [3, 'b'],
    ]);
  });

  it('replays two interleaved transactions and an autocommit between them each correctly', () => {
    const { commits, warnings } = assemble([
      begin('t1'),
      begin('t2'),
      insert('a1', 't1'),
      insert('b1', 't2'),
      insert('solo'),
      insert('a2', 't1'),
      commit('t2', 1),
      insert('a3', 't1'),
      commit('t1', 3),
    ]);
    expect(warnings).toEqual([]);
    expect(commits.map((c) => [c.seq, c.txId, keysOf(c)])).toEqual([
      [5, undefined, ['solo']],
      [7, 't2', ['b1']],
      [9, 't1', ['a1', 'a2', 'a3']],
    ]);
  });

  it('discards a transaction the log ends inside, and reports it', () => {
    const { commits, warnings, discarded } = assemble([insert('before'), begin('t1'), insert('a', 't1'), insert('after')]);
    expect(commits.map(keysOf)).toEqual([['before'], ['after']]);
    expect(discarded).toBe(1);
    expect(warnings.map((w) => w.code)).toEqual(['unterminated-transaction']);
    expect(warnings[0]!.message).toContain('transaction t1');
  });

  it('discards a transaction whose TX_COMMIT counts more entries than were readable', () => {
    const { commits, warnings } = assemble([begin('t1'), insert('a', 't1'), commit('t1', 2)]);
    expect(commits).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['incomplete-transaction']);
  });

  it('ignores entries and commits of transactions that are not open', () => {
    const { commits, warnings } = assemble([insert('stray', 'nope'), commit('never', 0)]);
    expect(commits).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['orphan-entry', 'orphan-entry']);
  });

  it('restarts a transaction whose id begins twice, discarding the first attempt', () => {
    const { commits, warnings } = assemble([begin('t1'), insert('old', 't1'), begin('t1'), insert('new', 't1'), commit('t1', 1)]);
    expect(commits.map(keysOf)).toEqual([['new']]);
    expect(warnings.map((w) => w.code)).toEqual(['unterminated-transaction']);
  });
});
