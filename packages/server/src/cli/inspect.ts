import { Database, type DatabaseWarning } from '@kilndb/doc-engine';
import { nodeFileSystem, readDocumentSnapshotHeader } from '@kilndb/snapshot';
import { readLayout, sumSizes, type DatabaseLayout } from './layout.js';
import { bytesUnder, formatBytes, type Progress } from './progress.js';

export interface InspectReport {
  readonly directory: string;
  readonly encrypted: boolean;
  readonly documents: number;
  readonly seq: number;
  readonly collections: Record<string, { count: number; bytes: number; indexes: readonly string[]; ttl?: number; maxSize?: number }>;
  readonly snapshot: { file: string; seq: number; entries: number; bytes: number } | undefined;
  readonly segments: { file: string; startSeq: number; bytes: number }[];
  readonly logBytes: number;
  /** The current documents' JSON, what a compaction would write. */
  readonly liveBytes: number;
  /** Snapshot and log bytes beyond the live documents: about what a compaction reclaims. */
  readonly deadBytes: number;
  readonly quarantined: { files: number; bytes: number };
  readonly backups: { snapshots: number; bytes: number; retainedSegments: number };
  /** What the read-only open worked around (a torn tail, a discarded transaction). */
  readonly warnings: string[];
}

/** Opens `dir` read-only (beside a running server, if any) and describes what is in it. */
export async function inspectDatabase(dir: string, encryptionKey: string | undefined, progress: Progress): Promise<InspectReport> {
  const layout = await readLayout(dir);
  const warnings: string[] = [];
  progress.start('reading', await bytesUnder(layout.dir));
  const db = await Database.open(layout.dir, {
    readOnly: true,
    fs: progress.fs,
    ...(encryptionKey === undefined ? {} : { encryptionKey }),
    onWarning: (warning: DatabaseWarning) => warnings.push(warning.message),
  }).finally(() => {
    progress.stop();
  });
  try {
    const stats = db.stats();
    const collections: InspectReport['collections'] = {};
    let liveBytes = 0;
    for (const [name, collection] of Object.entries(stats.collectionStats)) {
      liveBytes += collection.bytes;
      collections[name] = {
        count: collection.count,
        bytes: collection.bytes,
        indexes: collection.indexes,
        ...(collection.ttl === undefined ? {} : { ttl: collection.ttl }),
        ...(collection.maxSize === undefined ? {} : { maxSize: collection.maxSize }),
      };
    }
    // The records' bytes, not the files' sizes: a segment left open by a crash ends in preallocated zeros.
    const logBytes = stats.log.bytes;
    const snapshot = await snapshotSummary(layout);
    return {
      directory: layout.dir,
      encrypted: stats.encrypted,
      documents: stats.documents,
      seq: stats.seq,
      collections,
      snapshot,
      segments: layout.segments.map((segment) => ({ file: segment.name, startSeq: segment.start, bytes: segment.size })),
      logBytes,
      liveBytes,
      deadBytes: Math.max(0, logBytes + (snapshot?.bytes ?? 0) - liveBytes),
      quarantined: { files: layout.quarantined.length, bytes: sumSizes(layout.quarantined) },
      backups: { snapshots: layout.backups.length, bytes: sumSizes(layout.backups), retainedSegments: layout.retainedSegments.length },
      warnings,
    };
  } finally {
    await db.close();
  }
}

async function snapshotSummary(layout: DatabaseLayout): Promise<InspectReport['snapshot']> {
  const file = layout.snapshot;
  if (file === undefined) return undefined;
  const header = await readDocumentSnapshotHeader(nodeFileSystem, file.path);
  return header === undefined ? undefined : { file: file.name, seq: header.seq, entries: header.count, bytes: file.size };
}

/** The report for a person: one fact per line. */
export function formatInspect(report: InspectReport): string {
  const names = Object.keys(report.collections).sort();
  const lines = [
    `directory    ${report.directory}${report.encrypted ? ' (encrypted)' : ''}`,
    `documents    ${report.documents} in ${names.length} collection${names.length === 1 ? '' : 's'}, last seq ${report.seq}`,
    `snapshot     ${report.snapshot === undefined ? 'none' : `${report.snapshot.file}: seq ${report.snapshot.seq}, ${report.snapshot.entries} entries, ${formatBytes(report.snapshot.bytes)}`}`,
    `log          ${report.segments.length} segment${report.segments.length === 1 ? '' : 's'}, ${formatBytes(report.logBytes)}`,
    `live bytes   ${formatBytes(report.liveBytes)} (current documents)`,
    `dead bytes   ${formatBytes(report.deadBytes)} (snapshot + log beyond the live documents; compaction reclaims about this)`,
    `quarantined  ${formatBytes(report.quarantined.bytes)} in ${report.quarantined.files} file${report.quarantined.files === 1 ? '' : 's'}`,
    `backups      ${report.backups.snapshots} snapshot${report.backups.snapshots === 1 ? '' : 's'}, ${formatBytes(report.backups.bytes)}; ${report.backups.retainedSegments} retained segments`,
  ];
  for (const segment of report.segments) lines.push(`  ${segment.file}  from seq ${segment.startSeq}  ${formatBytes(segment.bytes)}`);
  if (names.length > 0) lines.push('collections');
  const width = Math.max(0, ...names.map((name) => name.length));
  for (const name of names) {
    const c = report.collections[name];
    if (c === undefined) continue;
    const extras = [
      c.indexes.length > 0 ? `indexes: ${c.indexes.join(', ')}` : '',
      c.ttl === undefined ? '' : `ttl ${c.ttl} s`,
      c.maxSize === undefined ? '' : `max ${c.maxSize}`,
    ].filter((extra) => extra !== '');
    lines.push(`  ${name.padEnd(width)}  ${String(c.count).padStart(8)} docs  ${formatBytes(c.bytes).padStart(10)}${extras.length > 0 ? `  ${extras.join('; ')}` : ''}`);
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}
