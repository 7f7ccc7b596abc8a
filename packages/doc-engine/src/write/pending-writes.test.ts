import { describe, expect, it } from 'vitest';
import { PendingWrites, collectionsFootprint, keyFootprint, type Footprint } from './pending-writes.js';

/** A promise that stands for an in-flight write (PendingWrites only compares and awaits it). */
const write = (): Promise<void> => new Promise<void>(() => undefined);

async function settles(promise: Promise<void> | undefined): Promise<boolean> {
  if (promise === undefined) throw new Error('expected something to wait for');
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
}

describe('PendingWrites', () => {
  it('makes a write wait for an in-flight write of the same key only', () => {
    const pending = new PendingWrites();
    const a = keyFootprint('c', 'a');
    pending.add(a, write());
    expect(pending.wait(keyFootprint('c', 'a'))).toBeDefined();
    expect(pending.wait(keyFootprint('c', 'b'))).toBeUndefined();
    expect(pending.wait(keyFootprint('other', 'a'))).toBeUndefined();
  });

  it('lets no one wait on a generated key, but counts it as a write to its collection', async () => {
    const pending = new PendingWrites();
    const generated = keyFootprint('c', undefined);
    const done = write();
    pending.add(generated, done);
    expect(pending.wait(keyFootprint('c', 'any'))).toBeUndefined();
    const whole = pending.wait(collectionsFootprint(['c']));
    expect(await settles(whole)).toBe(false);
    pending.remove(generated, done);
    expect(await settles(whole)).toBe(true);
    expect(pending.wait(collectionsFootprint(['c']))).toBeUndefined();
  });

  it('wakes a wait on a whole collection at each write that ends; it then checks again and waits for the next', async () => {
    const pending = new PendingWrites();
    const first: Footprint = { keys: ['c', 'a', 'c', 'b'], collections: [] };
    const second = keyFootprint('c', 'z');
    const [firstDone, secondDone] = [write(), write()];
    pending.add(first, firstDone);
    pending.add(second, secondDone);
    const all = collectionsFootprint(['c']);
    const wait = pending.wait(all);
    pending.remove(first, firstDone);
    expect(await settles(wait)).toBe(true);
    expect(pending.wait(keyFootprint('c', 'a'))).toBeUndefined();
    const again = pending.wait(all);
    expect(await settles(again)).toBe(false);
    pending.remove(second, secondDone);
    expect(await settles(again)).toBe(true);
    expect(pending.wait(all)).toBeUndefined();
  });

  it('makes every key of a collection wait while the collection is written whole (a drop)', () => {
    const pending = new PendingWrites();
    const drop = collectionsFootprint(['c']);
    const done = write();
    pending.add(drop, done);
    expect(pending.wait(keyFootprint('c', 'anything'))).toBeDefined();
    expect(pending.wait(keyFootprint('d', 'anything'))).toBeUndefined();
    pending.remove(drop, done);
    expect(pending.wait(keyFootprint('c', 'anything'))).toBeUndefined();
  });

  it('keeps waiting on a key while a later write of it is in flight, after an earlier one ended', () => {
    const pending = new PendingWrites();
    const key = keyFootprint('c', 'k');
    const [earlier, later] = [write(), write()];
    pending.add(key, earlier);
    pending.add(key, later);
    pending.remove(key, earlier);
    expect(pending.wait(key)).toBeDefined();
    pending.remove(key, later);
    expect(pending.wait(key)).toBeUndefined();
  });
});
