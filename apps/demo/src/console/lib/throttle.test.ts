import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './throttle.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('throttle', () => {
  it('runs at once, folds a burst into one more run after the gap, then runs at once again', async () => {
    const runs: number[] = [];
    const refresh = throttle(() => {
      runs.push(Date.now());
      return Promise.resolve();
    }, 1000);
    const start = Date.now();
    refresh.trigger();
    for (let i = 0; i < 10; i += 1) refresh.trigger();
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs.map((at) => at - start)).toEqual([0, 1000]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(2);
    refresh.trigger();
    expect(runs).toHaveLength(3);
  });

  it('keeps going after a failed run, and cancel drops a pending one', async () => {
    let calls = 0;
    const refresh = throttle(() => {
      calls += 1;
      return Promise.reject(new Error('offline'));
    }, 100);
    refresh.trigger();
    refresh.trigger();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    refresh.trigger();
    refresh.cancel();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
  });
});
