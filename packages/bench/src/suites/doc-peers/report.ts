import { markdownTable, type Cell } from '../../harness.js';
import type { Samples, Summary } from './samples.js';

/** How a row's numbers read: a rate (higher is better), or milliseconds or bytes per document (lower is better). */
export type Unit = '/s' | 'ms' | 'B/doc';

export interface RowSpec {
  readonly label: string;
  readonly unit: Unit;
}

const fmt = (value: number): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: value >= 100 ? 0 : value >= 10 ? 1 : 2 });

/** Two decimals, or two significant digits for a small ratio (0.0047×, not 0.00×). */
export const ratioText = (ratio: number): string => (ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2));

function cell(summary: Summary | undefined, unit: Unit): string {
  if (summary === undefined) return '–';
  const spread = summary.rounds > 1 ? ` ±${Math.round((summary.spread / 2) * 100)}%` : '';
  return `${fmt(summary.median)}${unit === '/s' ? '/s' : ` ${unit}`}${spread}`;
}

/** KilnDB against the best peer on a row, > 1 meaning KilnDB is better whichever way the unit runs. */
export function versusBest(samples: Samples, row: RowSpec, kiln: string, peers: readonly string[]): { ratio: number; peer: string } | undefined {
  const ours = samples.summary(row.label, kiln)?.median;
  let best: { value: number; peer: string } | undefined;
  for (const peer of peers) {
    const value = samples.summary(row.label, peer)?.median;
    if (value === undefined) continue;
    if (best === undefined || (row.unit === '/s' ? value > best.value : value < best.value)) best = { value, peer };
  }
  if (ours === undefined || best === undefined || ours === 0 || best.value === 0) return undefined;
  return { ratio: row.unit === '/s' ? ours / best.value : best.value / ours, peer: best.peer };
}

/** KilnDB ÷ `peer` on a rate row (or `peer` ÷ KilnDB on a lower-is-better row); undefined if either is missing. */
export function versus(samples: Samples, row: RowSpec, kiln: string, peer: string): number | undefined {
  const ours = samples.summary(row.label, kiln)?.median;
  const theirs = samples.summary(row.label, peer)?.median;
  if (ours === undefined || theirs === undefined || ours === 0 || theirs === 0) return undefined;
  return row.unit === '/s' ? ours / theirs : theirs / ours;
}

/** The side-by-side table: a column per store, medians with ± half the spread, and KilnDB against the best peer. */
export function storesTable(
  samples: Samples,
  rows: readonly RowSpec[],
  kiln: string,
  peers: readonly string[],
  shortName: (peer: string) => string,
  jsonBytesPerDoc: number,
): string {
  const cells: Cell[][] = rows.map((row) => {
    const stores = [kiln, ...peers].map((store) => cell(samples.summary(row.label, store), row.unit));
    if (row.unit === 'B/doc') {
      // The peers keep documents on disk: the comparison that means something is with the JSON itself.
      const ours = samples.summary(row.label, kiln)?.median;
      return [row.label, ...stores, ours === undefined ? '–' : `${(ours / jsonBytesPerDoc).toFixed(2)}× the JSON bytes`];
    }
    const best = versusBest(samples, row, kiln, peers);
    return [row.label, ...stores, best === undefined ? '–' : `${ratioText(best.ratio)}× ${shortName(best.peer)}`];
  });
  return markdownTable(['workload', kiln, ...peers, 'KilnDB vs best peer'], cells);
}

/** A table of single-column rows (the disk floors, KilnDB-only rows). */
export function plainTable(samples: Samples, rows: readonly RowSpec[], store: string, note: (row: RowSpec) => string): string {
  return markdownTable(
    ['row', 'median', 'note'],
    rows.map((row) => [row.label, cell(samples.summary(row.label, store), row.unit), note(row)]),
  );
}

export interface Goal {
  readonly goal: string;
  readonly measured: number | undefined;
  readonly target: number;
  readonly atMost?: boolean;
  readonly note?: string;
}

export function goalsTable(goals: readonly Goal[]): string {
  return markdownTable(
    ['goal', 'measured', 'target', '', 'note'],
    goals.map(({ goal, measured, target, atMost = false, note = '' }) => {
      const met = measured !== undefined && (atMost ? measured <= target : measured >= target);
      return [
        goal,
        measured === undefined ? '–' : measured < 0.1 ? ratioText(measured) : measured < 10 ? measured.toFixed(3) : fmt(measured),
        `${atMost ? '≤' : '≥'} ${fmt(target)}`,
        measured === undefined ? 'not measured' : met ? 'met' : 'missed',
        note,
      ];
    }),
  );
}
