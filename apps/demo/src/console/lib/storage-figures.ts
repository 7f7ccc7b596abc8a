/**
 * The figures the storage page charts, read from `GET /system/storage`. The reader looks in the places a
 * server may put each one (flat, or under `log`/`snapshot`/`groupCommit`), and leaves a figure undefined
 * when the server does not report it, so the page can say so instead of drawing zeros.
 */
export interface StorageFigures {
  readonly logBytes: number | undefined;
  readonly liveBytes: number | undefined;
  readonly deadBytes: number | undefined;
  readonly segments: number | undefined;
  readonly snapshotSeq: number | undefined;
  /** Milliseconds since the snapshot was written, when the server reports its age or time. */
  readonly snapshotAgeMs: number | undefined;
  readonly compactions: number | undefined;
  readonly documents: number | undefined;
  /** Log writes and syncs so far: their change between two samples gives the average group-commit batch. */
  readonly writes: number | undefined;
  readonly syncs: number | undefined;
  /** A batch size the server reports directly (mean of recent groups). */
  readonly batchSize: number | undefined;
  /** Write latency in milliseconds the server reports directly (mean or p50 of recent writes). */
  readonly writeLatencyMs: number | undefined;
}

export function readStorageFigures(body: unknown, now: number): StorageFigures {
  const logBytes = firstNumber(body, ['logBytes', 'log.bytes', 'log.size', 'wal.bytes', 'walBytes']);
  const liveBytes = firstNumber(body, ['liveBytes', 'live.bytes', 'bytes.live', 'log.liveBytes']);
  const deadBytes = firstNumber(body, ['deadBytes', 'dead.bytes', 'bytes.dead', 'log.deadBytes']) ?? difference(logBytes, liveBytes);
  return {
    logBytes,
    liveBytes,
    deadBytes,
    segments: firstNumber(body, ['segments', 'log.segments']),
    snapshotSeq: firstNumber(body, ['snapshot.seq', 'snapshotSeq']),
    snapshotAgeMs: snapshotAge(body, now),
    compactions: firstNumber(body, ['compactions', 'compaction.count', 'compactions.count']),
    documents: firstNumber(body, ['documents', 'docs']),
    writes: firstNumber(body, ['log.writes', 'writes', 'groupCommit.writes']),
    syncs: firstNumber(body, ['log.syncs', 'syncs', 'groupCommit.syncs']),
    batchSize: firstNumber(body, ['groupCommit.meanBatchSize', 'groupCommit.batchSize', 'groupCommit.mean', 'batchSize', 'groupCommit.avgBatchSize']),
    writeLatencyMs: firstNumber(body, ['writeLatency.meanMs', 'writeLatency.p50Ms', 'writeLatencyMs', 'writeLatency.mean', 'latency.writeMs']),
  };
}

/** The mean group-commit batch between two samples: appends per sync. Undefined when nothing was synced. */
export function batchBetween(previous: StorageFigures | undefined, current: StorageFigures): number | undefined {
  if (current.batchSize !== undefined) return current.batchSize;
  if (previous === undefined) return undefined;
  const writes = difference(current.writes, previous.writes);
  const syncs = difference(current.syncs, previous.syncs);
  if (writes === undefined || syncs === undefined || syncs <= 0 || writes < 0) return undefined;
  return writes / syncs;
}

function snapshotAge(body: unknown, now: number): number | undefined {
  const ageMs = firstNumber(body, ['snapshot.ageMs', 'snapshotAgeMs']);
  if (ageMs !== undefined) return ageMs;
  const ageSec = firstNumber(body, ['snapshot.ageSec', 'snapshot.ageSeconds', 'snapshotAgeSec']);
  if (ageSec !== undefined) return ageSec * 1000;
  const at = valueAt(body, 'snapshot.writtenAt') ?? valueAt(body, 'snapshot.at') ?? valueAt(body, 'snapshot.time') ?? valueAt(body, 'snapshot.mtime');
  const time = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return Number.isFinite(time) ? Math.max(0, now - time) : undefined;
}

function firstNumber(body: unknown, paths: readonly string[]): number | undefined {
  for (const path of paths) {
    const value = valueAt(body, path);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function valueAt(body: unknown, path: string): unknown {
  let value = body;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function difference(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a - b;
}
