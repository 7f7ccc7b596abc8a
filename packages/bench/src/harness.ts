import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One line naming the machine, printed with every table so numbers are never read without it. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const memGiB = Math.round(os.totalmem() / 2 ** 30);
  return `${model}, ${cpus.length} cores, ${memGiB} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** A fresh temporary directory under the system temp dir, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `kilndb-bench-${prefix}-`));
  return { dir, remove: () => { rmSync(dir, { recursive: true, force: true }); } };
}

/** Runs `fn` and returns the elapsed milliseconds. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export type Cell = string | number;

/** Formats rows as a Markdown table; numbers get thousands separators. */
export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const fmt = (c: Cell): string =>
    typeof c === 'number' ? c.toLocaleString('en-US', { maximumFractionDigits: c >= 100 ? 0 : 2 }) : c;
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(fmt).join(' | ')} |`);
  return lines.join('\n');
}

/** A benchmark suite: prints its own tables and returns when done. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  run(options: { quick: boolean }): Promise<void>;
}
