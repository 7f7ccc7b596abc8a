import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { nodeFileSystem } from '@kilndb/snapshot';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.js';
import { readLines } from './log-lines.js';

async function linesOf(content: string | Uint8Array): Promise<string[]> {
  const file = path.join(tempDir(), 'my_database.log');
  writeFileSync(file, content);
  const lines: string[] = [];
  for await (const line of readLines(nodeFileSystem, file)) lines.push(Buffer.from(line).toString('utf8'));
  return lines;
}

describe('readLines', () => {
  it('splits like Rust BufRead::lines: no line after a final newline, blank lines kept, one \\r stripped', async () => {
    expect(await linesOf('')).toEqual([]);
    expect(await linesOf('\n')).toEqual(['']);
    expect(await linesOf('a\nb\n')).toEqual(['a', 'b']);
    expect(await linesOf('a\nb')).toEqual(['a', 'b']);
    expect(await linesOf('a\n\n\nb\n')).toEqual(['a', '', '', 'b']);
    expect(await linesOf('a\r\nb\r\r\nc\r')).toEqual(['a', 'b\r', 'c']);
  });

  it('joins lines that span its 1 MiB read chunks', async () => {
    const long = 'x'.repeat(1024 * 1024 - 3);
    const lines = ['first', long, 'y'.repeat(2 * 1024 * 1024 + 5), '', 'last'];
    expect(await linesOf(lines.join('\n'))).toEqual(lines);
  });

  it('hands out raw bytes, so invalid UTF-8 reaches the parser unchanged', async () => {
    const file = path.join(tempDir(), 'log');
    writeFileSync(file, Buffer.from([0x61, 0xff, 0x0a, 0x62]));
    const lines: number[][] = [];
    for await (const line of readLines(nodeFileSystem, file)) lines.push([...line]);
    expect(lines).toEqual([[0x61, 0xff], [0x62]]);
  });
});
