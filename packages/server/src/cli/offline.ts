import { Database, exportJsonl, importMoltenDb, recover, type DatabaseWarning } from '@kilndb/doc-engine';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { oneLine } from './errors.js';
import { readLayout } from './layout.js';
import { bytesUnder, formatBytes, type Progress } from './progress.js';
import { CliUsageError } from './values.js';

/** What a command prints: a line (or a few) for a person, an object for `--json`. */
export interface CommandResult {
  readonly text: string;
  readonly json: unknown;
}

function warningCollector(into: string[]): (warning: DatabaseWarning) => void {
  return (warning) => into.push(oneLine(warning.message));
}

function withWarnings(text: string, warnings: readonly string[]): string {
  return [text, ...warnings.map((warning) => `warning: ${warning}`)].join('\n');
}

/** Compacts `dir` now: a snapshot of the current state, then the log segments it covers are retired. */
export async function compactDatabase(dir: string, encryptionKey: string | undefined, progress: Progress): Promise<CommandResult> {
  const layout = await readLayout(dir);
  const before = await bytesUnder(layout.dir);
  const warnings: string[] = [];
  progress.start('opening', before);
  let db: Database;
  try {
    db = await Database.open(layout.dir, {
      fs: progress.fs,
      compactThresholdBytes: Infinity,
      onWarning: warningCollector(warnings),
      ...(encryptionKey === undefined ? {} : { encryptionKey }),
    });
  } finally {
    progress.stop();
  }
  try {
    const info = await db.compact();
    const documents = db.stats().documents;
    await db.close();
    const after = await bytesUnder(layout.dir);
    const json = { directory: layout.dir, written: info.written, seq: info.seq, retiredSegments: info.retiredSegments, documents, bytesBefore: before, bytesAfter: after };
    const text = info.written
      ? `compacted ${layout.dir}: snapshot at seq ${info.seq} (${documents} documents), ${info.retiredSegments} log segment${info.retiredSegments === 1 ? '' : 's'} retired; ${formatBytes(before)} → ${formatBytes(after)} on disk`
      : `${layout.dir}: nothing committed since the snapshot at seq ${info.seq}; nothing to compact`;
    return { text: withWarnings(text, warnings), json: { ...json, warnings } };
  } finally {
    await db.close();
  }
}

/** Imports a MoltenDB log (and its `.snapshot.bin` beside it) into a new KilnDB directory. */
export async function importMolten(
  logPath: string,
  dir: string,
  options: { encryptionKey: string | undefined; ignoreSnapshot: boolean },
  progress: Progress,
): Promise<CommandResult> {
  const logSize = (await stat(logPath).catch(() => undefined))?.size ?? 0;
  const snapshotSize = options.ignoreSnapshot ? 0 : ((await stat(`${logPath}.snapshot.bin`).catch(() => undefined))?.size ?? 0);
  const warnings: string[] = [];
  progress.start('importing', logSize + snapshotSize);
  let summary;
  try {
    summary = await importMoltenDb(logPath, dir, {
      ignoreSnapshot: options.ignoreSnapshot,
      database: {
        fs: progress.fs,
        onWarning: warningCollector(warnings),
        ...(options.encryptionKey === undefined ? {} : { encryptionKey: options.encryptionKey }),
      },
    });
  } finally {
    progress.stop();
  }
  const collections = Object.entries(summary.collections);
  const lines = [
    `imported ${summary.documents} documents in ${collections.length} collection${collections.length === 1 ? '' : 's'} from ${summary.logPath}${summary.snapshotPath === undefined ? '' : ` (and ${path.basename(summary.snapshotPath)})`} into ${summary.targetDir}`,
    ...collections.map(([name, count]) => `  ${name}: ${count}`),
  ];
  const dropped = Object.entries(summary.droppedFields);
  if (dropped.length > 0) lines.push(`dropped top-level fields KilnDB reserves: ${dropped.map(([field, n]) => `${field} (${n})`).join(', ')}`);
  if (summary.rejectedDocuments > 0) {
    const first = summary.rejectedSamples[0];
    lines.push(`rejected ${summary.rejectedDocuments} documents KilnDB cannot hold${first === undefined ? '' : `, e.g. ${JSON.stringify(first)}`}`);
  }
  for (const item of summary.notApplied) lines.push(`not applied: ${item.what} of ${item.collection}${item.field === undefined ? '' : ` (${item.field})`}: ${item.reason}`);
  const { replay } = summary;
  if (replay.skippedUnparsable > 0 || replay.discardedTransactions > 0) {
    lines.push(`log: ${replay.skippedUnparsable} unparsable lines skipped, ${replay.discardedTransactions} uncommitted transactions (${replay.discardedEntries} entries) dropped`);
  }
  return { text: withWarnings(lines.join('\n'), warnings), json: { ...summary, warnings } };
}

/** Writes the database's current documents to `file` as a MoltenDB JSON-lines log. */
export async function exportDatabase(dir: string, file: string, encryptionKey: string | undefined, progress: Progress): Promise<CommandResult> {
  const layout = await readLayout(dir);
  const warnings: string[] = [];
  progress.start('exporting', await bytesUnder(layout.dir));
  let summary;
  try {
    summary = await exportJsonl(layout.dir, file, {
      database: {
        fs: progress.fs,
        onWarning: warningCollector(warnings),
        ...(encryptionKey === undefined ? {} : { encryptionKey }),
      },
    });
  } finally {
    progress.stop();
  }
  const collections = Object.keys(summary.collections).length;
  const text = `exported ${summary.documents} documents in ${collections} collection${collections === 1 ? '' : 's'} from ${summary.dir} to ${summary.out}`;
  return { text: withWarnings(text, warnings), json: { ...summary, warnings } };
}

export interface RecoverTarget {
  readonly toSeq?: number;
  readonly toTime?: number;
}

/** Point-in-time recovery of `dir` into a new directory `out`; the source is left alone. */
export async function recoverDatabase(
  dir: string,
  target: RecoverTarget,
  out: string,
  encryptionKey: string | undefined,
  progress: Progress,
): Promise<CommandResult> {
  if ((target.toSeq === undefined) === (target.toTime === undefined)) throw new CliUsageError('recover: pass exactly one of --to-time or --to-seq');
  const layout = await readLayout(dir);
  const warnings: string[] = [];
  progress.start('recovering', await bytesUnder(layout.dir));
  let result;
  try {
    result = await recover(layout.dir, {
      out,
      ...target,
      fs: progress.fs,
      onWarning: warningCollector(warnings),
      ...(encryptionKey === undefined ? {} : { encryptionKey }),
    });
  } finally {
    progress.stop();
  }
  const text = `recovered ${result.documents} documents in ${result.collections} collection${result.collections === 1 ? '' : 's'} as of seq ${result.seq} (${new Date(result.time).toISOString()}) into ${result.out}${result.base === undefined ? ', from the log alone' : ', from a snapshot and the log after it'}`;
  return {
    text: withWarnings(text, warnings),
    json: { out: result.out, seq: result.seq, time: result.time, collections: result.collections, documents: result.documents, base: result.base?.path, warnings },
  };
}
