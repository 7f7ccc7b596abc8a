import { readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DirectoryLockedError } from '@kilndb/payload-store/log';
import { Database } from './database.js';
import { internalsOf } from './internals.js';
import {
  ConflictError,
  DatabaseClosedError,
  DatabaseLayoutError,
  DatabaseReadOnlyError,
  DocumentNotFoundError,
  InvalidCollectionNameError,
  InvalidDocumentError,
  InvalidDocumentKeyError,
  InvalidOptionError,
  ReservedFieldError,
} from './errors.js';
import { tempDir } from './test-support/temp-dir.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('collections', () => {
  it('sets, gets, overwrites and deletes documents, and they survive a reopen', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    const users = db.collection('users');
    expect(users.get('u1')).toBeUndefined();
    expect(await users.set('u1', { name: 'Ada', tags: ['math'] })).toEqual({ key: 'u1', version: 1 });
    expect(users.get('u1')).toEqual({ _key: 'u1', _v: 1, name: 'Ada', tags: ['math'] });
    expect(await users.set('u1', { name: 'Ada Lovelace' })).toEqual({ key: 'u1', version: 2 });
    await users.set('u2', { name: 'Grace' });
    expect(await users.delete('u2')).toBe(true);
    expect(await users.delete('u2')).toBe(false);
    expect(users.keys()).toEqual(['u1']);
    expect(users.count()).toBe(1);
    await db.close();

    const reopened = await Database.open(dir);
    expect(reopened.collection('users').get('u1')).toEqual({ _key: 'u1', _v: 2, name: 'Ada Lovelace' });
    expect(reopened.collection('users').get('u2')).toBeUndefined();
    expect(reopened.collections()).toEqual(['users']);
    await reopened.close();
  });

  it('keeps system fields: _v counts writes, _seq and _createdAt survive overwrites, _modifiedAt follows the clock', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now });
    const items = db.collection('items');
    await items.set('a', { n: 1 });
    clock.advance(10);
    await items.set('b', { n: 2 });
    clock.advance(10);
    await items.update('a', { m: 3 });
    const stored = internalsOf(db).state.doc('items', 'a');
    expect(stored).toEqual({ _key: 'a', _v: 2, _seq: 1, _createdAt: 1_700_000_000_000, _modifiedAt: 1_700_000_000_020, n: 1, m: 3 });
    expect(internalsOf(db).state.doc('items', 'b')).toMatchObject({ _v: 1, _seq: 2 });
    // A key deleted and written again is a new document: version 1 and a new _seq.
    await items.delete('a');
    await items.set('a', { n: 9 });
    expect(internalsOf(db).state.doc('items', 'a')).toMatchObject({ _v: 1, _seq: 3 });
    await db.close();
  });

  it('hands out _seq values that are never reused, even after the newest document is deleted and the database reopened', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('a', {});
    await db.collection('c').set('b', {});
    await db.collection('c').delete('b');
    await db.close();
    const reopened = await Database.open(dir);
    await reopened.collection('c').set('c', {});
    expect(internalsOf(reopened).state.doc('c', 'c')?._seq).toBe(3);
    await reopened.close();
  });

  it('inserts arrays with UUIDv7 keys (or their _key) and maps of key to document, atomically', async () => {
    const db = await Database.open(tempDir());
    const posts = db.collection('posts');
    const keys = await posts.insert([{ title: 'one' }, { title: 'two', _key: 'mine' }, { title: 'three' }]);
    expect(keys).toHaveLength(3);
    expect(keys[1]).toBe('mine');
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(keys[0]! < keys[2]!).toBe(true);
    expect(posts.get(keys[2]!)).toMatchObject({ title: 'three', _v: 1 });
    expect(await posts.insert({ x: { title: 'x' }, y: { title: 'y' } })).toEqual(['x', 'y']);
    expect(posts.count()).toBe(5);
    // One bad document refuses the whole batch.
    await expect(posts.insert([{ ok: true }, { _bad: 1 }])).rejects.toBeInstanceOf(ReservedFieldError);
    expect(posts.count()).toBe(5);
    await db.close();
  });

  it('merges updates at the top level and guards versions with ConflictError', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.set('k', { a: 1, nested: { x: 1, y: 1 } });
    expect(await c.update('k', { nested: { x: 2 }, b: 2 }, { expectedVersion: 1 })).toEqual({ key: 'k', version: 2 });
    expect(c.get('k')).toEqual({ _key: 'k', _v: 2, a: 1, b: 2, nested: { x: 2 } });

    const conflict = await c.update('k', { a: 5 }, { expectedVersion: 1 }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ collection: 'c', key: 'k', expectedVersion: 1, actualVersion: 2 });
    expect(c.get('k')?.a).toBe(1);
    // `_v` in the document is the same guard; 0 means "must be absent".
    await expect(c.set('k', { a: 6, _v: 1 })).rejects.toBeInstanceOf(ConflictError);
    await expect(c.set('k', { a: 6, _v: 0 })).rejects.toBeInstanceOf(ConflictError);
    await expect(c.set('new', { a: 1, _v: 0 })).resolves.toEqual({ key: 'new', version: 1 });
    await expect(c.delete('k', { expectedVersion: 7 })).rejects.toBeInstanceOf(ConflictError);
    await expect(c.update('missing', { a: 1 })).rejects.toBeInstanceOf(DocumentNotFoundError);
    // A document read with get can be written back as it is.
    const read = c.get('k')!;
    await expect(c.set('k', { ...read, a: 7 })).resolves.toEqual({ key: 'k', version: 3 });
    await db.close();
  });

  it('serializes concurrent writes to one key: each sees the previous, versions count every write', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.set('counter', { n: 0 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c.update('counter', { [`f${i}`]: i })));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const doc = c.get('counter')!;
    expect(doc._v).toBe(21);
    for (let i = 0; i < 20; i++) expect(doc[`f${i}`]).toBe(i);
    await db.close();
  });

  it('deleteMany removes atomically and counts what existed; drop removes the collection', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    const c = db.collection('c');
    await c.insert({ a: {}, b: {}, c: {} });
    await db.collection('other').set('x', {});
    expect(await c.deleteMany(['a', 'b', 'zzz'])).toBe(2);
    expect(c.keys()).toEqual(['c']);
    expect(await c.drop()).toBe(true);
    expect(await c.drop()).toBe(false);
    expect(c.count()).toBe(0);
    expect(db.collections()).toEqual(['other']);
    await c.set('fresh', {});
    expect(internalsOf(db).state.doc('c', 'fresh')?._seq).toBe(1);
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collections().sort()).toEqual(['c', 'other']);
    expect(reopened.collection('c').keys()).toEqual(['fresh']);
    await reopened.close();
  });

  it('returns copies: changing what get returned does not change the database, nested values are frozen', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    const input = { list: [1, 2] };
    await c.set('k', input);
    input.list.push(3);
    const read = c.get('k')!;
    read.extra = 1;
    expect(() => (read.list as number[]).push(4)).toThrow(TypeError);
    expect(c.get('k')).toEqual({ _key: 'k', _v: 1, list: [1, 2] });
    await db.close();
  });
  it('freezes documents read from disk before handing them out, and before an update shares their nested values', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('a', { list: [1], nested: { deep: [2] } });
    await db.collection('c').set('b', { list: [3] });
    await db.close();
    const reopened = await Database.open(dir);
    const c = reopened.collection('c');
    expect(Object.isFrozen(internalsOf(reopened).state.doc('c', 'a'))).toBe(false);
    const read = c.get('a')!;
    expect(() => (read.list as number[]).push(9)).toThrow(TypeError);
    expect(() => ((read.nested as { deep: number[] }).deep).push(9)).toThrow(TypeError);
    await c.update('b', { extra: true });
    expect(Object.isFrozen(internalsOf(reopened).state.doc('c', 'b')?.list)).toBe(true);
    expect(c.get('b')).toEqual({ _key: 'b', _v: 2, list: [3], extra: true });
    await reopened.close();
  });
});

describe('durability modes', () => {
  it("'none' resolves before writing and writes in the background; 'fsync' syncs before resolving", async () => {
    const dir = tempDir();
    const fast = await Database.open(dir, { durability: 'none' });
    await fast.collection('c').set('k', { v: 1 });
    expect(fast.collection('c').get('k')).toMatchObject({ v: 1 });
    expect(fast.stats().log).toMatchObject({ writes: 0, syncs: 0 });
    await vi.waitFor(() => {
      expect(fast.stats().log.writes).toBe(1);
    });
    expect(statSync(path.join(dir, 'log', '00000000000000000001.log')).size).toBeGreaterThan(0);
    await fast.close();

    const safe = await Database.open(dir, { durability: 'fsync' });
    await safe.collection('c').set('k', { v: 2 });
    expect(safe.stats().log).toMatchObject({ writes: 1, syncs: 1 });
    await safe.close();
    const reopened = await Database.open(dir, { durability: 'flush' });
    expect(reopened.collection('c').get('k')).toMatchObject({ v: 2, _v: 2 });
    expect(reopened.stats().durability).toBe('flush');
    await reopened.close();
  });
});

describe('bad input', () => {
  it('throws typed errors naming what was wrong, and writes nothing', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await expect(c.set('', {})).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    await expect(c.set(5 as unknown as string, {})).rejects.toThrow('keys must be strings');
    await expect(c.set('k', [] as unknown as Record<string, unknown>)).rejects.toBeInstanceOf(InvalidDocumentError);
    await expect(c.set('k', { _seq: 1 })).rejects.toThrow('field "_seq" is reserved');
    await expect(c.set('k', { when: new Date() })).rejects.toThrow('field when is a Date');
    await expect(c.update('k', { a: 1 }, { expectedVersion: -1 })).rejects.toThrow('expectedVersion must be a non-negative integer');
    expect(() => db.collection('')).toThrow(InvalidCollectionNameError);
    expect(db.stats().seq).toBe(0);
    await db.close();
  });

  it('refuses a deleteMany argument that is not an array (a string included), in a transaction too', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.set('k1', {});
    await expect(c.deleteMany('k1' as unknown as string[])).rejects.toThrow(
      new InvalidDocumentKeyError('k1', 'deleteMany takes an array of keys'),
    );
    await expect(c.deleteMany(['k1', 5] as unknown as string[])).rejects.toThrow('keys must be strings');
    await expect(db.transaction((tx) => tx.collection('c').deleteMany(7 as unknown as string[]))).rejects.toBeInstanceOf(InvalidDocumentKeyError);
    expect(c.keys()).toEqual(['k1']);
    expect(await c.deleteMany(['k1'])).toBe(1);
    await db.close();
  });

  it('refuses a document too large for JSON.stringify with InvalidDocumentError naming it, and stays usable', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    // Two fields sharing one string of 2^28 characters: their JSON passes the longest string the engine allows.
    const half = 'x'.repeat(2 ** 28);
    const error: unknown = await c.set('big', { a: half, b: half }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as Error).message).toMatch(/^collection "c", key "big": the document is too large to encode as JSON \(/);
    expect(c.get('big')).toBeUndefined();
    await c.set('small', { a: 1 });
    expect(db.stats().seq).toBe(1);
    await db.close();
  }, 60_000);

  it('stores -0 as 0, so reads before and after a reopen agree', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('k', { n: -0, list: [-0] });
    await db.collection('c').update('k', { m: -0 });
    const before = db.collection('c').get('k') as unknown as { n: number; m: number; list: number[] };
    expect([before.n, before.m, before.list[0]].every((n) => Object.is(n, 0))).toBe(true);
    await db.close();
    const reopened = await Database.open(dir);
    const after = reopened.collection('c').get('k') as unknown as { n: number; m: number };
    expect(Object.is(after.n, 0) && Object.is(after.m, 0)).toBe(true);
    await reopened.close();
  });

  it('refuses bad options with InvalidOptionError', async () => {
    const dir = tempDir();
    await expect(Database.open(dir, { durability: 'sometimes' as 'fsync' })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(Database.open(dir, { compactThresholdBytes: 0 })).rejects.toThrow('compactThresholdBytes');
    await expect(Database.open(dir, { backupsToKeep: 1.5 })).rejects.toThrow('backupsToKeep');
    await expect(Database.open(dir, { postBackupHook: { command: '' } })).rejects.toThrow('postBackupHook');
  });
});

describe('opening', () => {
  it('locks the directory against a second writer, and allows read-only opens beside it', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('k', { v: 1 });
    await expect(Database.open(dir)).rejects.toBeInstanceOf(DirectoryLockedError);
    const reader = await Database.open(dir, { readOnly: true });
    expect(reader.collection('c').get('k')).toMatchObject({ v: 1 });
    await expect(reader.collection('c').set('k', {})).rejects.toBeInstanceOf(DatabaseReadOnlyError);
    await expect(reader.transaction(() => undefined)).rejects.toBeInstanceOf(DatabaseReadOnlyError);
    await reader.close();
    await db.close();
    const again = await Database.open(dir);
    await again.close();
  });

  it('refuses a missing directory read-only and a file as a directory', async () => {
    const dir = tempDir();
    await expect(Database.open(path.join(dir, 'nope'), { readOnly: true })).rejects.toBeInstanceOf(DatabaseLayoutError);
    writeFileSync(path.join(dir, 'file'), 'x');
    await expect(Database.open(path.join(dir, 'file'))).rejects.toThrow('is a file');
  });

  it('throws DatabaseClosedError after close, and close is idempotent', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.set('k', {});
    await Promise.all([db.close(), db.close()]);
    expect(() => c.get('k')).toThrow(DatabaseClosedError);
    await expect(c.set('k', {})).rejects.toBeInstanceOf(DatabaseClosedError);
  });

  it('throws DatabaseClosedError from collection() and stats() after close, like every other call', async () => {
    const db = await Database.open(tempDir());
    await db.close();
    expect(() => db.collection('c')).toThrow(DatabaseClosedError);
    expect(() => db.stats()).toThrow(DatabaseClosedError);
    expect(() => db.collections()).toThrow(DatabaseClosedError);
  });

  it('lays out LOCK and log/ in the directory', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    await db.collection('c').set('k', {});
    expect(readdirSync(dir).sort()).toEqual(['LOCK', 'log']);
    expect(readdirSync(path.join(dir, 'log'))).toEqual(['00000000000000000001.log']);
    await db.close();
    expect(readdirSync(dir)).not.toContain('LOCK');
  });
});
