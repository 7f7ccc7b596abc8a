/** Samples per (row, store), reduced to a median and a spread once every round has run. */
export class Samples {
  private readonly rows = new Map<string, Map<string, number[]>>();

  add(row: string, store: string, value: number): void {
    let stores = this.rows.get(row);
    if (stores === undefined) this.rows.set(row, (stores = new Map<string, number[]>()));
    stores.set(store, [...(stores.get(store) ?? []), value]);
  }

  /** The median of the row's samples for `store`, and (max - min) / median; undefined when never measured. */
  summary(row: string, store: string): Summary | undefined {
    const values = this.rows.get(row)?.get(store);
    if (values === undefined || values.length === 0) return undefined;
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    const spread = median === 0 ? 0 : ((sorted[sorted.length - 1] as number) - (sorted[0] as number)) / Math.abs(median);
    return { median, spread, rounds: values.length };
  }
}

export interface Summary {
  readonly median: number;
  readonly spread: number;
  readonly rounds: number;
}

/**
 * Runs `op` repeatedly (at least `minOps` times, then until `budgetMs` has passed or `maxOps` ran) and
 * returns operations per second. Slow queries get a few runs, fast ones many.
 */
export function opsPerSecond(op: (n: number) => void, minOps: number, maxOps: number, budgetMs: number): number {
  const start = process.hrtime.bigint();
  let ms = 0;
  let n = 0;
  while (n < maxOps && (n < minOps || ms < budgetMs)) {
    op(n);
    n++;
    if ((n & 7) === 0 || n < minOps + 8) ms = Number(process.hrtime.bigint() - start) / 1e6;
  }
  ms = Number(process.hrtime.bigint() - start) / 1e6;
  return (n / ms) * 1000;
}
