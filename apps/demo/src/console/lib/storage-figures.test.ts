import { describe, expect, it } from 'vitest';
import { batchBetween, readStorageFigures } from './storage-figures.js';

const body = {
  log: { bytes: 4261, segments: 2 },
  snapshot: { seq: 10, bytes: 900, ageSeconds: 95 },
  estimate: { liveBytes: 3536, diskBytes: 5161, deadBytes: 1625 },
  compactions: 1,
  groupCommit: { writes: 100, syncs: 20, meanBatchSize: 5 },
  writeLatency: { samples: 12, p50Ms: 1.5, p99Ms: 7.25, maxMs: 9 },
};

describe('readStorageFigures', () => {
  it('reads every figure the server reports', () => {
    expect(readStorageFigures(body)).toEqual({
      logBytes: 4261,
      liveBytes: 3536,
      deadBytes: 1625,
      segments: 2,
      snapshotSeq: 10,
      snapshotAgeMs: 95_000,
      compactions: 1,
      writes: 100,
      syncs: 20,
      meanBatchSize: 5,
      writeP50Ms: 1.5,
      writeP99Ms: 7.25,
    });
  });

  it('leaves out what is missing: no snapshot yet, no writes yet, a body of another shape', () => {
    const figures = readStorageFigures({ ...body, snapshot: null, writeLatency: { samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 } });
    expect(figures.snapshotSeq).toBeUndefined();
    expect(figures.snapshotAgeMs).toBeUndefined();
    expect(figures.writeP50Ms).toBeUndefined();
    expect(Object.values(readStorageFigures('not an object')).every((value) => value === undefined)).toBe(true);
  });
});

describe('batchBetween', () => {
  const at = (writes: number, syncs: number) => readStorageFigures({ ...body, groupCommit: { writes, syncs, meanBatchSize: 99 } });

  it('is the appends per sync between two samples', () => {
    expect(batchBetween(at(100, 20), at(160, 23))).toBe(20);
  });

  it("starts from the server's mean and leaves a gap when nothing was synced", () => {
    expect(batchBetween(undefined, at(100, 20))).toBe(99);
    expect(batchBetween(at(100, 20), at(100, 20))).toBeUndefined();
  });
});
