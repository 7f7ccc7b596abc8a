import { describe, expect, it } from 'vitest';
import { Database } from '../database.js';
import { ConflictError } from '../errors.js';
import { SchemaValidationError } from '../query/errors.js';
import { tempDir } from '../test-support/temp-dir.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

async function conflictOf(write: Promise<unknown>): Promise<ConflictError> {
  const error = await write.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
}

describe('planning a batch of sets', () => {
  it('overwrites existing keys of an insert map as a set does, keeping their _seq and _createdAt, and gives new keys new _seq', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now, durability: 'none' });
    const c = db.collection('c');
    await c.insert({ a: { n: 1 }, b: { n: 1 } });
    clock.advance(10);
    expect(await c.insert({ b: { n: 2 }, z: { n: 2 }, a: { n: 2 } })).toEqual(['b', 'z', 'a']);
    const fields = ['_key', '_v', '_seq', '_createdAt', '_modifiedAt', 'n'];
    const full = c.find({ fields, sort: [{ field: '_seq', order: 'asc' }] });
    expect(full).toEqual([
      { _key: 'a', _v: 2, _seq: 1, _createdAt: 1_700_000_000_000, _modifiedAt: 1_700_000_000_010, n: 2 },
      { _key: 'b', _v: 2, _seq: 2, _createdAt: 1_700_000_000_000, _modifiedAt: 1_700_000_000_010, n: 2 },
      { _key: 'z', _v: 1, _seq: 3, _createdAt: 1_700_000_000_010, _modifiedAt: 1_700_000_000_010, n: 2 },
    ]);
    await db.close();
  });

  it('fails the whole insert map on one failed version guard, with the same conflict, and writes nothing', async () => {
    const db = await Database.open(tempDir(), { durability: 'none' });
    const c = db.collection('c');
    await c.set('taken', { n: 1 });
    const conflict = await conflictOf(c.insert({ fresh: { n: 2 }, taken: { n: 2, _v: 0 }, other: { n: 2 } }));
    expect([conflict.collection, conflict.key, conflict.expectedVersion, conflict.actualVersion]).toEqual(['c', 'taken', 0, 1]);
    expect(c.keys()).toEqual(['taken']);
    expect(c.get('taken')).toEqual({ _key: 'taken', _v: 1, n: 1 });
    expect(await c.insert({ taken: { n: 3, _v: 1 }, fresh: { n: 3, _v: 0 } })).toEqual(['taken', 'fresh']);
    expect(c.get('taken')).toEqual({ _key: 'taken', _v: 2, n: 3 });
    await db.close();
  });

  it('lets a later document of an array insert see an earlier one with the same _key', async () => {
    const db = await Database.open(tempDir(), { durability: 'none' });
    const c = db.collection('c');
    await c.insert([{ _key: 'k', n: 1 }, { _key: 'k', n: 2 }]);
    expect(c.get('k')).toEqual({ _key: 'k', _v: 2, n: 2 });
    // The second guard sees the first write of the batch, not the committed state.
    await conflictOf(c.insert([{ _key: 'j', n: 1, _v: 0 }, { _key: 'j', n: 2, _v: 0 }]));
    expect(c.get('j')).toBeUndefined();
    await db.close();
  });

  it('treats an expired document as absent, checks the schema and evicts past the cap in an insert map', async () => {
    const clock = manualClock();
    const db = await Database.open(tempDir(), { clock: clock.now, durability: 'none' });
    const c = db.collection('c');
    await c.set('gone', { n: 1 }, { ttl: 1 });
    clock.advance(1000);
    await c.insert({ gone: { n: 2, _v: 0 }, kept: { n: 2 } });
    expect(c.get('gone')).toEqual({ _key: 'gone', _v: 1, n: 2 });
    await c.setSchema({ type: 'object', properties: { n: { type: 'number' } } });
    await expect(c.insert({ ok: { n: 1 }, bad: { n: 'x' } })).rejects.toBeInstanceOf(SchemaValidationError);
    expect(c.get('ok')).toBeUndefined();
    await c.setMaxSize(3);
    await c.insert({ x: { n: 1 }, y: { n: 1 } });
    expect(c.keys().sort()).toEqual(['kept', 'x', 'y']);
    await db.close();
  });
});
