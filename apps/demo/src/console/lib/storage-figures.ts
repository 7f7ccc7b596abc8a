/**
 * The figures the storage page charts, read from `GET /system/storage` (see the server's system routes):
 * `log.{bytes,segments}`, `snapshot.{seq,ageSeconds}` (null before the first), `estimate.{liveBytes,deadBytes}`,
 * `compactions`, `groupCommit.{writes,syncs}` and `writeLatency.{samples,p50Ms,p99Ms}`. A figure the body
 * lacks stays undefined, so the page says "not reported" instead of drawing zeros.
 */
export interface StorageFigures {
  readonly logBytes: number | undefined;
  readonly liveBytes: number | undefined;
  readonly deadBytes: number | undefined;
  readonly segments: number | undefined;
  readonly snapshotSeq: number | undefined;
  readonly snapshotAgeMs: number | undefined;
  readonly compactions: number | undefined;
  /** Log appends and syncs since the server started: their change between two samples is the recent batch size. */
  readonly writes: number | undefined;
  readonly syncs: number | undefined;
  /** The server's own mean batch since it started (used until two samples give a recent one). */
  readonly meanBatchSize: number | undefined;
  /** Latency of recent write requests; undefined before the first write. */
  readonly writeP50Ms: number | undefined;
  readonly writeP99Ms: number | undefined;
}

export function readStorageFigures(body: unknown): StorageFigures {
  const ageSeconds = numberAt(body, 'snapshot', 'ageSeconds');
  const latencySamples = numberAt(body, 'writeLatency', 'samples') ?? 0;
  return {
    logBytes: numberAt(body, 'log', 'bytes'),
    liveBytes: numberAt(body, 'estimate', 'liveBytes'),
    deadBytes: numberAt(body, 'estimate', 'deadBytes'),
    segments: numberAt(body, 'log', 'segments'),
    snapshotSeq: numberAt(body, 'snapshot', 'seq'),
    snapshotAgeMs: ageSeconds === undefined ? undefined : ageSeconds * 1000,
    compactions: numberAt(body, 'compactions'),
    writes: numberAt(body, 'groupCommit', 'writes'),
    syncs: numberAt(body, 'groupCommit', 'syncs'),
    meanBatchSize: numberAt(body, 'groupCommit', 'meanBatchSize'),
    writeP50Ms: latencySamples > 0 ? numberAt(body, 'writeLatency', 'p50Ms') : undefined,
    writeP99Ms: latencySamples > 0 ? numberAt(body, 'writeLatency', 'p99Ms') : undefined,
  };
}

/**
 * The mean group-commit batch (appends per sync) between two samples; with no earlier sample, the server's
 * mean since start. Undefined when nothing was synced in between, so idle seconds leave a gap, not a zero.
 */
export function batchBetween(previous: StorageFigures | undefined, current: StorageFigures): number | undefined {
  if (previous === undefined) return current.meanBatchSize;
  if (current.writes === undefined || current.syncs === undefined || previous.writes === undefined || previous.syncs === undefined) return undefined;
  const writes = current.writes - previous.writes;
  const syncs = current.syncs - previous.syncs;
  return syncs > 0 && writes >= 0 ? writes / syncs : undefined;
}

function numberAt(body: unknown, ...path: readonly string[]): number | undefined {
  let value = body;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
