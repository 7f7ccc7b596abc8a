import type { Commit, LogEntry } from '@kilndb/doc-engine';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.js';
import { changeFrames, maySee } from './changes.js';

function commit(...entries: Omit<LogEntry, '_t'>[]): Commit {
  return { seq: entries.length, txId: undefined, entries: entries.map((entry, i) => ({ seq: i + 1, entry: { ...entry, _t: 0 } })) };
}

const doc = (v: number) => ({ _key: 'k', _v: v, _seq: 1, _createdAt: 0, _modifiedAt: 0, n: 1 });

function principal(...scopes: string[]): Principal {
  return { sub: 's', jti: 'j', exp: 0, scopes };
}

describe('changeFrames', () => {
  it('maps INSERT to its version, DELETE to null and DROP to key *, and skips settings entries', () => {
    const frames = changeFrames(
      commit(
        { cmd: 'SCHEMA', collection: 'a', key: '', value: { type: 'object' } },
        { cmd: 'INSERT', collection: 'a', key: 'k', value: doc(3) },
        { cmd: 'INDEX', collection: 'a', key: 'n', value: {} },
        { cmd: 'CONFIG', collection: 'a', key: 'ttl', value: 60 },
        { cmd: 'DELETE', collection: 'a', key: 'k', value: null },
        { cmd: 'DROP', collection: 'a', key: '_', value: null },
      ),
    );
    expect(frames.map((frame) => frame.change)).toEqual([
      { event: 'change', collection: 'a', key: 'k', new_v: 3 },
      { event: 'change', collection: 'a', key: 'k', new_v: null },
      { event: 'change', collection: 'a', key: '*', new_v: null },
    ]);
    expect(frames.map((frame) => frame.drop)).toEqual([false, false, true]);
    expect(JSON.parse(frames[0]?.text ?? '')).toEqual(frames[0]?.change);
  });
});

describe('maySee', () => {
  const [insert, drop] = changeFrames(
    commit({ cmd: 'INSERT', collection: 'a', key: 'store_A_1', value: doc(1) }, { cmd: 'DROP', collection: 'a', key: '_', value: null }),
  );
  if (insert === undefined || drop === undefined) throw new Error('expected two frames');

  it('shows a key change to tokens that may read that key', () => {
    expect(maySee(principal('read:a:*'), insert)).toBe(true);
    expect(maySee(principal('read:a:store_A_*'), insert)).toBe(true);
    expect(maySee(principal('read:a:store_B_*'), insert)).toBe(false);
    expect(maySee(principal('read:b:*'), insert)).toBe(false);
    expect(maySee(principal('write:a:*'), insert)).toBe(false);
  });

  it('shows a drop to every token that may read some key of the collection', () => {
    expect(maySee(principal('read:a:store_B_*'), drop)).toBe(true);
    expect(maySee(principal('*:*:*'), drop)).toBe(true);
    expect(maySee(principal('read:b:*'), drop)).toBe(false);
    expect(maySee(principal('write:a:*', 'delete:a:*'), drop)).toBe(false);
  });
});
