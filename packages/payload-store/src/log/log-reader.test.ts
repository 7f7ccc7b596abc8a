import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeStore } from '@kilndb/wal-format';
import { readLog } from './log-reader.js';
import type { LogWarning } from './log-options.js';
import { layRecords } from '../test-support/log-bytes.js';
import { tempDir } from '../test-support/temp-dir.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function logOf(count: number): { file: Uint8Array; starts: number[] } {
  return layRecords(Array.from({ length: count }, (_, i) => encodeStore(i + 1, text(`record ${i + 1}`))));
}

async function read(logPath: string): Promise<{ ids: number[]; warnings: LogWarning[]; summary: Awaited<ReturnType<typeof readLog>> }> {
  const ids: number[] = [];
  const warnings: LogWarning[] = [];
  const summary = await readLog(logPath, {
    onRecord: ({ record }) => {
      if (record.type === 'store') ids.push(Number(record.id));
    },
    onWarning: (w) => warnings.push(w),
  });
  return { ids, warnings, summary };
}

describe('readLog (the reader of a log nothing appends to)', () => {
  it('reads a missing file as empty and creates nothing', async () => {
    const dir = tempDir('reader-missing');
    const { ids, summary } = await read(path.join(dir, 'absent.log'));
    expect(ids).toEqual([]);
    expect(summary).toMatchObject({ records: 0, truncatedBytes: 0, end: { validEnd: 0, stop: 'end' } });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports damage and a torn tail but changes no byte and writes no quarantine file', async () => {
    const dir = tempDir('reader-damage');
    const logPath = path.join(dir, 'sealed.log');
    const { file, starts } = logOf(6);
    file[starts[2]!] = 0x7f;
    const torn = file.subarray(0, file.length - 3);
    writeFileSync(logPath, torn);

    const { ids, warnings, summary } = await read(logPath);
    expect(ids).toEqual([1, 2, 4, 5]);
    expect(summary.damage).toEqual([{ offset: starts[2], length: starts[3]! - starts[2]!, quarantinePath: undefined }]);
    expect(summary.end).toMatchObject({ validEnd: starts[5], stop: 'incomplete', stopOffset: starts[5] });
    expect(summary.truncatedBytes).toBe(0);
    expect(warnings.map((w) => w.code)).toEqual(['damaged-range']);
    expect(warnings[0]?.message).toContain('left in place (read-only)');
    expect(readFileSync(logPath)).toEqual(Buffer.from(torn));
    expect(readdirSync(dir)).toEqual(['sealed.log']);
  });
});
