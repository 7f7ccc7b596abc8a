import { describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { internalsOf } from './internals.js';
import { InvalidInputError, InvalidOptionError, ReservedFieldError } from './errors.js';
import { QueryError, SchemaError, SchemaValidationError } from './query/errors.js';
import { tempDir } from './test-support/temp-dir.js';

function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('find and system fields', () => {
  it('returns _key and _v always, other system fields only when listed, the same way get does', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now });
    const users = db.collection('users');
    await users.set('a', { name: 'Ada', age: 36 });
    clock.advance(5);
    await users.update('a', { age: 37 });
    expect(users.find({ keys: 'a' })).toEqual(users.get('a'));
    expect(users.find()).toEqual([{ _key: 'a', _v: 2, name: 'Ada', age: 37 }]);
    const start = clock.now() - 5;
    expect(users.find({ keys: 'a', fields: ['age', '_seq', '_createdAt', '_modifiedAt'] })).toEqual({
      _key: 'a',
      _v: 2,
      age: 37,
      _seq: 1,
      _createdAt: start,
      _modifiedAt: start + 5,
    });
    await expect(users.set('b', { _seq: 4 })).rejects.toThrow(ReservedFieldError);
    await expect(users.set('b', { _expiresAt: 4 })).rejects.toThrow(ReservedFieldError);
    await db.close();
  });

  it('runs where, sort, offset and count, and rejects an invalid query with QueryError naming the path', async () => {
    const db = await Database.open(tempDir(), { durability: 'none' });
    const items = db.collection('items');
    await items.insert(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${String(i).padStart(2, '0')}`, { n: i % 5, s: `v${i}` }])));
    // Without sort, newest (_seq) first, as MoltenDB.
    expect(items.find({ where: { n: 3 } }).map((doc) => doc._key)).toEqual(['k18', 'k13', 'k08', 'k03']);
    expect(items.find({ where: { n: { $gte: 3 } }, sort: [{ field: 'n', order: 'desc' }], count: 3 }).map((doc) => doc.n)).toEqual([4, 4, 4]);
    expect(items.find({ order: 'desc', offset: 2, count: 2 }).map((doc) => doc._key)).toEqual(['k17', 'k16']);
    expect(() => items.find({ where: { n: { $gtx: 1 } } } as never)).toThrow(QueryError);
    expect(() => items.find({ count: 5000 })).toThrow(/count/);
    await db.close();
  });
});

describe('deleteWhere and deleteOldest', () => {
  it('delete the matching or oldest documents durably, oldest first unless told otherwise', async () => {
    const dir = tempDir();
    const db = await Database.open(dir);
    const items = db.collection('items');
    for (let i = 0; i < 10; i++) await items.set(`k${i}`, { even: i % 2 === 0 });
    expect(await items.deleteWhere({ even: true }, { count: 2 })).toBe(2);
    expect(items.keys()).not.toContain('k0');
    expect(items.keys()).not.toContain('k2');
    expect(await items.deleteWhere({ even: true }, { order: 'desc', count: 1 })).toBe(1);
    expect(items.keys()).not.toContain('k8');
    expect(await items.deleteOldest(2)).toBe(2);
    expect(items.keys()).toEqual(['k4', 'k5', 'k6', 'k7', 'k9']);
    await expect(items.deleteWhere({ even: { $bad: 1 } })).rejects.toThrow(QueryError);
    await expect(items.deleteOldest(-1)).rejects.toThrow(QueryError);
    await db.close();
    const reopened = await Database.open(dir);
    expect(reopened.collection('items').keys()).toEqual(['k4', 'k5', 'k6', 'k7', 'k9']);
    await reopened.close();
  });
});

describe('secondary indexes', () => {
  it('are used by find, persist across reopen and compaction, and dropIndex removes them', async () => {
    const dir = tempDir();
    let db = await Database.open(dir);
    const items = db.collection('items');
    await items.insert(Array.from({ length: 50 }, (_, i) => ({ n: i % 10 })));
    await items.createIndex('n');
    await items.set('late', { n: 3 });
    expect(items.indexes()).toEqual(['n']);
    expect(items.find({ where: { n: 3 } })).toHaveLength(6);
    const index = internalsOf(db).state.collections.get('items')?.index('n');
    expect(index?.countLookup(3)).toBe(6);
    await db.close();

    db = await Database.open(dir);
    expect(db.collection('items').indexes()).toEqual(['n']);
    await db.compact();
    await db.close();
    db = await Database.open(dir);
    const reopened = db.collection('items');
    expect(reopened.indexes()).toEqual(['n']);
    expect(internalsOf(db).state.collections.get('items')?.index('n')?.countLookup(3)).toBe(6);
    expect(await reopened.dropIndex('n')).toBe(true);
    expect(await reopened.dropIndex('n')).toBe(false);
    expect(internalsOf(db).state.collections.get('items')?.index('n')).toBeUndefined();
    expect(reopened.find({ where: { n: 3 } })).toHaveLength(6);
    await expect(reopened.createIndex('a..b')).rejects.toThrow(InvalidInputError);
    await db.close();
    db = await Database.open(dir);
    expect(db.collection('items').indexes()).toEqual([]);
    await db.close();
  });

  it('are maintained by transactions at commit', async () => {
    const db = await Database.open(tempDir());
    const items = db.collection('items');
    await items.createIndex('tag');
    await items.set('a', { tag: 'x' });
    await db.transaction(async (tx) => {
      await tx.collection('items').set('b', { tag: 'x' });
      await tx.collection('items').update('a', { tag: 'y' });
    });
    expect(internalsOf(db).state.collections.get('items')?.index('tag')?.countLookup('x')).toBe(1);
    expect(items.find({ where: { tag: 'y' } }).map((doc) => doc._key)).toEqual(['a']);
    await db.close();
  });
});

describe('schemas', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
    required: ['name'],
    additionalProperties: false,
  };

  it('reject a bad write naming every failing path, validate user fields only, and persist', async () => {
    const dir = tempDir();
    let db = await Database.open(dir);
    const users = db.collection('users');
    await users.set('old', { nick: 'kept' });
    await users.setSchema(schema);
    expect(users.get('old')).toEqual({ _key: 'old', _v: 1, nick: 'kept' });
    await users.set('a', { name: 'Ada', age: 36 });
    await users.update('a', { age: 37 }, { expectedVersion: 1 });
    const error = await users.set('b', { age: -1, extra: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaValidationError);
    expect((error as SchemaValidationError).errors).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'is required' },
        { path: 'extra', message: 'is not allowed by the schema' },
        { path: 'age', message: 'must be >= 0' },
      ]),
    );
    expect((error as Error).message).toMatch(/name: is required/);
    expect(users.get('b')).toBeUndefined();
    await expect(users.setSchema({ type: 'nonsense' })).rejects.toThrow(SchemaError);
    await db.close();

    db = await Database.open(dir);
    await expect(db.collection('users').set('c', { age: 3 })).rejects.toThrow(SchemaValidationError);
    await db.compact();
    await db.close();
    db = await Database.open(dir);
    expect(db.collection('users').schema()).toEqual(schema);
    await expect(db.collection('users').set('c', { age: 3 })).rejects.toThrow(SchemaValidationError);
    await db.collection('users').setSchema(undefined);
    await db.collection('users').set('c', { age: 3 });
    await db.close();
  });

  it('is checked on every transaction write, and a rejected write commits nothing', async () => {
    const db = await Database.open(tempDir());
    const users = db.collection('users');
    await users.setSchema(schema);
    await expect(
      db.transaction(async (tx) => {
        await tx.collection('users').set('a', { name: 'Ada' });
        await tx.collection('users').set('b', { name: 5 });
      }),
    ).rejects.toThrow(/name: must be string/);
    expect(users.count()).toBe(0);
    await db.close();
  });
});

describe('TTL', () => {
  it('hides a document after its own expiry, across reopen, and the sweep deletes it durably', async () => {
    const dir = tempDir();
    const clock = manualClock();
    let db = await Database.open(dir, { clock: clock.now });
    const items = db.collection('items');
    await items.set('short', { a: 1 }, { ttl: 10 });
    await items.set('fixed', { a: 2 }, { expiresAt: clock.now() + 20_000 });
    await items.insert({ many: { a: 3 } }, { ttl: 30 });
    await items.set('forever', { a: 4 });
    expect(items.find({ keys: 'short', fields: ['_expiresAt'] })).toEqual({ _key: 'short', _v: 1, _expiresAt: clock.now() + 10_000 });
    clock.advance(10_000);
    expect(items.get('short')).toBeUndefined();
    expect(items.keys().sort()).toEqual(['fixed', 'forever', 'many']);
    expect(items.count()).toBe(3);
    await expect(items.update('short', { a: 9 })).rejects.toThrow(/no such document/);
    await db.close();

    db = await Database.open(dir, { clock: clock.now });
    clock.advance(10_000);
    expect(db.collection('items').find().map((doc) => doc._key).sort()).toEqual(['forever', 'many']);
    expect(await db.sweepExpired()).toBe(2);
    expect(db.collection('items').stats().stored).toBe(2);
    await db.close();
    db = await Database.open(dir, { clock: clock.now });
    expect(db.collection('items').stats().stored).toBe(2);
    await db.close();
  });

  it('expires a whole collection after ttl seconds without a write, across reopen and compaction', async () => {
    const dir = tempDir();
    const clock = manualClock();
    let db = await Database.open(dir, { clock: clock.now });
    const events = db.collection('events');
    await events.setTtl(60);
    await events.set('a', { n: 1 });
    clock.advance(50_000);
    await events.set('b', { n: 2 });
    clock.advance(50_000);
    expect(events.count()).toBe(2);
    expect(events.find({ keys: 'a', fields: ['_expiresAt'] })).toEqual({ _key: 'a', _v: 1, _expiresAt: clock.now() + 10_000 });
    await db.compact();
    await db.close();
    db = await Database.open(dir, { clock: clock.now });
    expect(db.collection('events').stats().ttl).toBe(60);
    clock.advance(10_000);
    expect(db.collection('events').count()).toBe(0);
    expect(db.collection('events').find()).toEqual([]);
    expect(db.collection('events').get('b')).toBeUndefined();
    expect(db.stats().collectionStats.events?.expired).toBe(true);
    expect(await db.sweepExpired()).toBe(2);
    expect(await db.sweepExpired()).toBe(0);
    await expect(db.collection('events').setTtl(-1)).rejects.toThrow(InvalidInputError);
    await db.close();
  });

  it('refuses bad expiry options', async () => {
    const db = await Database.open(tempDir());
    await expect(db.collection('c').set('a', {}, { ttl: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(db.collection('c').set('a', {}, { ttl: 1, expiresAt: 5 })).rejects.toThrow(InvalidOptionError);
    await db.close();
    await expect(Database.open(tempDir(), { sweepIntervalMs: 0 })).rejects.toThrow(InvalidOptionError);
  });

  it('sweeps in the background when sweepIntervalMs is set', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now, sweepIntervalMs: 5 });
    await db.collection('c').set('a', {}, { ttl: 1 });
    clock.advance(1_000);
    await expect.poll(() => db.collection('c').stats().stored).toBe(0);
    await db.close();
  });
});

describe('capped collections', () => {
  it('evict the lowest _seq first in the same commit, across reopen, and in transactions', async () => {
    const dir = tempDir();
    let db = await Database.open(dir);
    const log = db.collection('log');
    await log.setMaxSize(3);
    for (let i = 0; i < 5; i++) await log.set(`k${i}`, { i });
    expect(log.keys()).toEqual(['k2', 'k3', 'k4']);
    // An overwrite keeps its _seq, so it does not protect the document from eviction order.
    await log.set('k2', { i: 22 });
    await log.set('k5', { i: 5 });
    expect(log.keys()).toEqual(['k3', 'k4', 'k5']);
    const commits: number[] = [];
    db.onChange((commit) => commits.push(commit.entries.length));
    await log.insert({ x1: {}, x2: {} });
    expect(commits).toEqual([4]);
    expect(log.keys()).toEqual(['k5', 'x1', 'x2']);
    await db.transaction(async (tx) => {
      await tx.collection('log').insert({ t1: {}, t2: {}, t3: {}, t4: {} });
    });
    expect(log.keys()).toEqual(['t2', 't3', 't4']);
    await db.close();

    db = await Database.open(dir);
    expect(db.collection('log').keys()).toEqual(['t2', 't3', 't4']);
    expect(db.collection('log').stats().maxSize).toBe(3);
    await db.collection('log').setMaxSize(1);
    expect(db.collection('log').keys()).toEqual(['t4']);
    await db.compact();
    await db.close();
    db = await Database.open(dir);
    await db.collection('log').set('n', {});
    expect(db.collection('log').keys()).toEqual(['n']);
    await db.collection('log').setMaxSize(undefined);
    await db.collection('log').set('m', {});
    expect(db.collection('log').count()).toBe(2);
    await expect(db.collection('log').setMaxSize(0)).rejects.toThrow(InvalidInputError);
    await db.close();
  });
});

describe('stats', () => {
  it('reports count, approximate bytes, indexes and settings per collection', async () => {
    const db = await Database.open(tempDir());
    const c = db.collection('c');
    await c.set('a', { text: 'hello' });
    await c.createIndex('text');
    await c.setMaxSize(10);
    const stats = c.stats();
    expect(stats).toMatchObject({ count: 1, stored: 1, indexes: ['text'], maxSize: 10, ttl: undefined, hasSchema: false, expired: false });
    expect(stats.bytes).toBe(JSON.stringify(internalsOf(db).state.collections.get('c')?.get('a')).length);
    expect(db.stats().collectionStats).toEqual({ c: stats });
    await db.close();
  });
});

describe('transactions and expiry', () => {
  it('do not see a document past its own expiry', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now });
    await db.collection('c').set('a', { n: 1 }, { ttl: 1 });
    clock.advance(1_000);
    const seen = await db.transaction((tx) => tx.collection('c').get('a'));
    expect(seen).toBeUndefined();
    await db.close();
  });
});
