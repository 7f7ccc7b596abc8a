import { isKilnError, KilnError } from '@kilndb/wal-format';
import { describe, expect, it } from 'vitest';
import { SnapshotEncodeError, SnapshotFormatError } from './errors.js';
import { SimulatedCrashError } from './testing/errors.js';

describe('snapshot errors', () => {
  it('are KilnErrors with their own codes, and keep the base they had', () => {
    const errors = [new SnapshotFormatError('crc', 'f.snap', 'bad crc'), new SnapshotEncodeError('seq', 'too big'), new SimulatedCrashError()];
    expect(errors.map((error) => [error.name, error.kilnCode, isKilnError(error), error instanceof KilnError])).toEqual([
      ['SnapshotFormatError', 'KILN_SNAPSHOT_FORMAT', true, true],
      ['SnapshotEncodeError', 'KILN_SNAPSHOT_ENCODE', true, true],
      ['SimulatedCrashError', 'KILN_SIMULATED_CRASH', true, true],
    ]);
    expect(errors[1]).toBeInstanceOf(RangeError);
  });
});
