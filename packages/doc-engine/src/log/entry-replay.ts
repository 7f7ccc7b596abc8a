import { LogEntryFormatError } from '../errors.js';
import type { DatabaseWarning } from '../warnings.js';
import type { LogEntry } from './log-entry.js';

/** A log entry with the sequence number its record carries. */
export interface SequencedEntry {
  readonly seq: number;
  readonly entry: LogEntry;
}

/** Entries that take effect together: one autocommitted entry, or a whole transaction. */
export interface Commit {
  /** The sequence number of the commit's last record (the TX_COMMIT for a transaction). */
  readonly seq: number;
  /** The transaction id; undefined for an autocommitted entry. */
  readonly txId: string | undefined;
  /** Data entries in log order (transaction brackets left out). */
  readonly entries: readonly SequencedEntry[];
}

interface OpenTransaction {
  readonly beginSeq: number;
  readonly entries: SequencedEntry[];
}

/**
 * Turns log records into commits. Open transactions are tracked by id, so transactions interleaved in the
 * log each replay correctly; a transaction takes effect only at its TX_COMMIT, and only when it holds as
 * many entries as TX_COMMIT says (an entry skipped for a bad CRC would otherwise be lost silently).
 * Transactions still open at the end (a crash before TX_COMMIT) are discarded by `finish`.
 */
export class CommitAssembler {
  private readonly open = new Map<string, OpenTransaction>();

  constructor(
    private readonly onCommit: (commit: Commit) => void,
    private readonly onWarning: (warning: DatabaseWarning) => void,
    private readonly source: string,
  ) {}

  push(seq: number, entry: LogEntry): void {
    const tx = entry.tx;
    switch (entry.cmd) {
      case 'TX_BEGIN':
        if (this.open.has(entry.key)) this.discard(entry.key, `a second TX_BEGIN for it at seq ${seq}`);
        this.open.set(entry.key, { beginSeq: seq, entries: [] });
        return;
      case 'TX_COMMIT': {
        const open = this.open.get(entry.key);
        this.open.delete(entry.key);
        if (open === undefined) {
          this.warn('orphan-entry', `TX_COMMIT at seq ${seq} for transaction ${entry.key}, which never began; ignored`);
          return;
        }
        const expected = (entry.value as { count: number }).count;
        if (open.entries.length !== expected) {
          this.warn(
            'incomplete-transaction',
            `transaction ${entry.key} (seq ${open.beginSeq}..${seq}) commits ${expected} entries but ` +
              `${open.entries.length} were readable; the whole transaction was discarded`,
          );
          return;
        }
        this.onCommit({ seq, txId: entry.key, entries: open.entries });
        return;
      }
      default:
        if (tx === undefined) {
          this.onCommit({ seq, txId: undefined, entries: [{ seq, entry }] });
          return;
        }
        {
          const open = this.open.get(tx);
          if (open === undefined) {
            this.warn('orphan-entry', `entry at seq ${seq} belongs to transaction ${tx}, which is not open; ignored`);
            return;
          }
          open.entries.push({ seq, entry });
        }
    }
  }

  /**
   * Reports an entry whose record passed its CRC but that could not be read; it is skipped, and a
   * transaction it belonged to is discarded at its TX_COMMIT, whose count it no longer meets.
   */
  unreadable(seq: number, segmentPath: string, problem: string): void {
    const cause = new LogEntryFormatError(segmentPath, seq, problem);
    this.onWarning({ code: 'unreadable-entry', message: `${cause.message}; skipped`, path: segmentPath, cause });
  }

  /** Discards every transaction still open: the log ended before their TX_COMMIT. Returns how many. */
  finish(): number {
    const ids = [...this.open.keys()];
    for (const id of ids) this.discard(id, 'the log ends before its TX_COMMIT');
    return ids.length;
  }

  private discard(id: string, reason: string): void {
    const open = this.open.get(id);
    if (open === undefined) return;
    this.open.delete(id);
    this.warn(
      'unterminated-transaction',
      `transaction ${id} (began at seq ${open.beginSeq}, ${open.entries.length} entries) was discarded: ${reason}`,
    );
  }

  private warn(code: DatabaseWarning['code'], message: string): void {
    this.onWarning({ code, message: `${this.source}: ${message}`, path: this.source });
  }
}
