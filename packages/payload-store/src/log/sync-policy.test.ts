import { describe, expect, it } from 'vitest';
import { INLINE_SYNC_LIMIT_MS, LONE_SYNCS_TO_INLINE, PROBE_EVERY, SyncPolicy } from './sync-policy.js';

/** What `inline()` answers for `count` lone commits in a row. */
const answers = (policy: SyncPolicy, count: number): boolean[] => Array.from({ length: count }, () => policy.inline());

function afterLoneSyncs(ms: number, enabled = true): SyncPolicy {
  const policy = new SyncPolicy(enabled);
  for (let i = 0; i < LONE_SYNCS_TO_INLINE; i++) policy.pooled(ms, false);
  return policy;
}

describe('SyncPolicy', () => {
  it('keeps syncs on the thread pool until enough lone syncs in a row were seen', () => {
    const policy = new SyncPolicy(true);
    for (let i = 0; i < LONE_SYNCS_TO_INLINE - 1; i++) {
      policy.pooled(0.1, false);
      expect(policy.inline()).toBe(false);
    }
    policy.pooled(0.1, false);
    expect(policy.inline()).toBe(true);
  });

  it('sends every PROBE_EVERY-th lone commit back through the thread pool', () => {
    const seen = answers(afterLoneSyncs(0.1), 2 * PROBE_EVERY);
    const probes = seen.flatMap((inline, i) => (inline ? [] : [i + 1]));
    expect(probes).toEqual([PROBE_EVERY, 2 * PROBE_EVERY]);
  });

  it('goes back to the thread pool for good once another append arrives during a pooled sync', () => {
    const policy = afterLoneSyncs(0.1);
    expect(policy.inline()).toBe(true);
    policy.pooled(0.1, true);
    expect(answers(policy, 3)).toEqual([false, false, false]);
    for (let i = 0; i < LONE_SYNCS_TO_INLINE; i++) policy.pooled(0.1, false);
    expect(policy.inline()).toBe(true);
  });

  it('never syncs inline on a slow disk, and stops when syncs turn slow', () => {
    expect(afterLoneSyncs(INLINE_SYNC_LIMIT_MS * 3).inline()).toBe(false);
    const policy = afterLoneSyncs(0.1);
    expect(policy.inline()).toBe(true);
    for (let i = 0; i < 20 && policy.inline(); i++) policy.inlined(INLINE_SYNC_LIMIT_MS * 10);
    expect(policy.inline()).toBe(false);
  });

  it('never syncs inline when turned off', () => {
    expect(answers(afterLoneSyncs(0.01, false), 5)).toEqual([false, false, false, false, false]);
  });
});
