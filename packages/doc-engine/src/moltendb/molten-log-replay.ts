import { isDeepStrictEqual } from 'node:util';
import { parseMoltenLogEntry, type MoltenLogEntry } from './log-entry.js';
import type { MoltenDbSnapshot } from './snapshot-reader.js';

export interface MoltenReplayStats {
  /** Log lines read, blank and unparsable ones and those the snapshot covers included. */
  lines: number;
  /** Entries the snapshot held (all applied first). */
  snapshotEntries: number;
  /** Log lines skipped because the snapshot already holds them. */
  coveredBySnapshot: number;
  /**
   * The log began with exactly the snapshot's entries and is shorter than the snapshot's seq: MoltenDB
   * rewrote it at compaction, so the lines after those entries are new and were replayed (MoltenDB itself
   * would skip them up to seq). See MOLTENDB.md.
   */
  compactedLogDetected: boolean;
  /** Log entries applied to the state, directly or at their transaction's commit. */
  applied: number;
  /** Lines that are not a JSON LogEntry (torn writes, blank lines, invalid UTF-8). */
  skippedUnparsable: number;
  committedTransactions: number;
  /** Transactions never committed (the log ends inside them, or their id began again); their entries were dropped. */
  discardedTransactions: number;
  discardedEntries: number;
  /** Transactions that began while another was open. MoltenDB itself drops the earlier one's entries there. */
  interleavedTransactions: number;
  /** TX_COMMIT lines naming no open transaction (ignored). */
  orphanCommits: number;
  /** Entries written while two transactions on their collection were open; given to the later one. */
  ambiguousTransactionEntries: number;
  /** SCHEMA entries whose value is not a JSON schema (an object or a boolean); the previous schema stays, as in MoltenDB. */
  ignoredSchemas: number;
  /** Entries with a command this importer does not know, by command (ignored, as MoltenDB does). */
  unknownCommands: Record<string, number>;
}

export interface MoltenReplay {
  /** collection → key → document, as MoltenDB holds them (system fields included). */
  readonly collections: Map<string, Map<string, unknown>>;
  /** collection → JSON schema from its last SCHEMA entry. */
  readonly schemas: Map<string, unknown>;
  /** collection → fields named by INDEX entries. */
  readonly indexes: Map<string, Set<string>>;
  readonly stats: MoltenReplayStats;
}

interface OpenTransaction {
  readonly collection: string;
  readonly entries: MoltenLogEntry[];
}

/**
 * Rebuilds a MoltenDB 0.x database state from its snapshot and log lines, line by line, so a large log can
 * be streamed through it. The rules, and where they differ from MoltenDB's, are in MOLTENDB.md.
 */
export class MoltenReplayer {
  private readonly collections = new Map<string, Map<string, unknown>>();
  private readonly schemas = new Map<string, unknown>();
  private readonly indexes = new Map<string, Set<string>>();
  private readonly stats: MoltenReplayStats = {
    lines: 0,
    snapshotEntries: 0,
    coveredBySnapshot: 0,
    compactedLogDetected: false,
    applied: 0,
    skippedUnparsable: 0,
    committedTransactions: 0,
    discardedTransactions: 0,
    discardedEntries: 0,
    interleavedTransactions: 0,
    orphanCommits: 0,
    ambiguousTransactionEntries: 0,
    ignoredSchemas: 0,
    // No prototype: a command named "__proto__" must count like any other.
    unknownCommands: Object.create(null) as Record<string, number>,
  };
  private readonly open = new Map<string, OpenTransaction>();
  /** Open transaction ids per collection, oldest first. */
  private readonly openByCollection = new Map<string, string[]>();
  /** Log lines before this index are covered by the snapshot. */
  private deltaStart = 0;
  /** The snapshot's entries while the log may still turn out to start with them (a compacted log). */
  private compactedCandidate: readonly MoltenLogEntry[] | undefined;
  private finished = false;

  constructor(snapshot?: MoltenDbSnapshot) {
    if (snapshot === undefined) return;
    for (const entry of snapshot.entries) this.apply(entry, false);
    this.stats.snapshotEntries = snapshot.entries.length;
    this.deltaStart = snapshot.seq;
    if (snapshot.entries.length < snapshot.seq) this.compactedCandidate = snapshot.entries;
  }

  /** Feeds the next log line (without its line ending). */
  pushLine(line: string | Uint8Array): void {
    if (this.finished) throw new Error('MoltenReplayer: pushLine after finish');
    const index = this.stats.lines++;
    const entry = parseMoltenLogEntry(line);
    const candidate = this.compactedCandidate;
    if (candidate !== undefined) {
      if (index < candidate.length) {
        if (entry === undefined || !isDeepStrictEqual(entry, candidate[index])) this.compactedCandidate = undefined;
      } else {
        this.deltaStart = candidate.length;
        this.stats.compactedLogDetected = true;
        this.compactedCandidate = undefined;
      }
    }
    if (index < this.deltaStart) {
      this.stats.coveredBySnapshot++;
      return;
    }
    if (entry === undefined) {
      this.stats.skippedUnparsable++;
      return;
    }
    this.route(entry);
  }

  /** Ends the log: transactions still open are discarded. Returns the state. */
  finish(): MoltenReplay {
    if (!this.finished) {
      this.finished = true;
      for (const transaction of this.open.values()) {
        this.stats.discardedTransactions++;
        this.stats.discardedEntries += transaction.entries.length;
      }
      this.open.clear();
      this.openByCollection.clear();
    }
    return { collections: this.collections, schemas: this.schemas, indexes: this.indexes, stats: this.stats };
  }

  private route(entry: MoltenLogEntry): void {
    switch (entry.cmd) {
      case 'TX_BEGIN':
        this.begin(entry.key, entry.collection);
        return;
      case 'TX_COMMIT':
        this.commit(entry.key);
        return;
    }
    const owners = this.openByCollection.get(entry.collection);
    const owner = owners?.at(-1);
    if (owners === undefined || owner === undefined) {
      this.apply(entry, true);
      return;
    }
    if (owners.length > 1) this.stats.ambiguousTransactionEntries++;
    this.open.get(owner)?.entries.push(entry);
  }

  private begin(id: string, collection: string): void {
    const previous = this.open.get(id);
    if (previous !== undefined) {
      this.stats.discardedTransactions++;
      this.stats.discardedEntries += previous.entries.length;
      this.close(id, previous.collection);
    }
    if (this.open.size > 0) this.stats.interleavedTransactions++;
    this.open.set(id, { collection, entries: [] });
    const ids = this.openByCollection.get(collection);
    if (ids === undefined) this.openByCollection.set(collection, [id]);
    else ids.push(id);
  }

  private commit(id: string): void {
    const transaction = this.open.get(id);
    if (transaction === undefined) {
      this.stats.orphanCommits++;
      return;
    }
    this.close(id, transaction.collection);
    this.stats.committedTransactions++;
    for (const entry of transaction.entries) this.apply(entry, true);
  }

  private close(id: string, collection: string): void {
    this.open.delete(id);
    const ids = this.openByCollection.get(collection);
    if (ids === undefined) return;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) this.openByCollection.delete(collection);
  }

  private apply(entry: MoltenLogEntry, fromLog: boolean): void {
    const { collection, key, value } = entry;
    switch (entry.cmd) {
      case 'INSERT': {
        let documents = this.collections.get(collection);
        if (documents === undefined) this.collections.set(collection, (documents = new Map<string, unknown>()));
        documents.set(key, value);
        break;
      }
      case 'DELETE':
        this.collections.get(collection)?.delete(key);
        break;
      case 'DROP':
        // MoltenDB's DROP clears the documents only; the collection's schema and index list stay.
        this.collections.delete(collection);
        break;
      case 'INDEX': {
        let fields = this.indexes.get(collection);
        if (fields === undefined) this.indexes.set(collection, (fields = new Set<string>()));
        fields.add(key);
        break;
      }
      case 'SCHEMA':
        // MoltenDB keeps the previous schema when the new one does not compile; a non-schema value never does.
        if ((typeof value !== 'object' || value === null || Array.isArray(value)) && typeof value !== 'boolean') {
          this.stats.ignoredSchemas++;
          return;
        }
        this.schemas.set(collection, value);
        break;
      default:
        this.stats.unknownCommands[entry.cmd] = (this.stats.unknownCommands[entry.cmd] ?? 0) + 1;
        return;
    }
    if (fromLog) this.stats.applied++;
  }
}

/** The state a MoltenDB 0.x database holds: `snapshot` applied first, then the log lines after the ones it covers. */
export function replayMoltenDb(lines: Iterable<string | Uint8Array>, snapshot?: MoltenDbSnapshot): MoltenReplay {
  const replayer = new MoltenReplayer(snapshot);
  for (const line of lines) replayer.pushLine(line);
  return replayer.finish();
}
