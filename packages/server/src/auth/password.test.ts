import { describe, expect, it } from 'vitest';
import { CheckGate, PasswordCheckBusyError, PasswordHash } from './password.js';

describe('PasswordHash', () => {
  it('matches the password it was made from and nothing else', async () => {
    const hash = await PasswordHash.of('s3cret');
    expect(await hash.matches('s3cret')).toBe(true);
    expect(await hash.matches('s3cret ')).toBe(false);
    expect(await hash.matches('')).toBe(false);
  });

  it('salts each hash: two hashes of one password differ', async () => {
    const [a, b] = await Promise.all([PasswordHash.of('p'), PasswordHash.of('p')]);
    expect(a).not.toEqual(b);
  });
});

describe('CheckGate', () => {
  it('runs up to its concurrency, queues up to its limit, refuses beyond, and drains the queue in order', async () => {
    const gate = new CheckGate(1, 1);
    const releases: (() => void)[] = [];
    const order: string[] = [];
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        order.push(`start ${name}`);
        releases.push(() => {
          resolve(name);
        });
      });
    const first = gate.run(task('a'));
    const second = gate.run(task('b'));
    await expect(gate.run(task('c'))).rejects.toThrow(PasswordCheckBusyError);
    expect(order).toEqual(['start a']);
    releases.shift()?.();
    expect(await first).toBe('a');
    await Promise.resolve();
    expect(order).toEqual(['start a', 'start b']);
    releases.shift()?.();
    expect(await second).toBe('b');
    // The slot came back: a new task starts at once.
    const third = gate.run(task('d'));
    await Promise.resolve();
    expect(order).toEqual(['start a', 'start b', 'start d']);
    releases.shift()?.();
    expect(await third).toBe('d');
  });
});
