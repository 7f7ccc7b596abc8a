import type { LogEntry } from '../log/log-entry.js';
import type { StoredDoc } from '../query/types.js';
import type { CollectionState, DocumentState } from '../state/state.js';
import type { StateView } from './write-plan.js';

interface OverlayCollection {
  /** The collection was dropped in this overlay: the committed documents no longer show through. */
  dropped: boolean;
  /** Documents written in this overlay; null marks a deletion. */
  readonly docs: Map<string, StoredDoc | null>;
}

/** What an overlay saw of the committed state, so a commit can check nobody changed it since. */
export interface Observations {
  /** Per collection and key: the committed document (or its absence) when first looked at. */
  readonly keys: Map<string, Map<string, StoredDoc | undefined>>;
  /** Per collection read as a whole (keys, count): its committed state object and version then. */
  readonly collections: Map<string, { readonly state: CollectionState | undefined; readonly version: number }>;
}

/**
 * Uncommitted writes layered over the committed state: a transaction's view (reads see its own writes),
 * and the scratch state a multi-entry commit is planned in. When `observations` is given, every look at
 * the committed state underneath is recorded in it.
 */
export class Overlay implements StateView {
  private readonly collections = new Map<string, OverlayCollection>();

  constructor(
    private readonly base: DocumentState,
    private readonly reserve: (collection: string) => number,
    private readonly observations?: Observations,
  ) {}

  doc(collection: string, key: string): StoredDoc | undefined {
    const overlay = this.collections.get(collection);
    const own = overlay?.docs.get(key);
    if (own !== undefined) return own ?? undefined;
    if (overlay?.dropped === true) return undefined;
    const committed = this.base.doc(collection, key);
    this.observeKey(collection, key, committed);
    return committed;
  }

  hasCollection(collection: string): boolean {
    const overlay = this.collections.get(collection);
    if (overlay !== undefined) {
      for (const doc of overlay.docs.values()) if (doc !== null) return true;
      if (overlay.dropped) return false;
    }
    return this.base.collections.has(collection);
  }

  reserveSeq(collection: string): number {
    return this.reserve(collection);
  }

  /** Keys of the collection as this overlay sees it: committed ones first (minus deletions), then new ones. */
  keys(collection: string): string[] {
    const overlay = this.collections.get(collection);
    const keys: string[] = [];
    if (overlay?.dropped !== true) {
      const committed = this.observeCollection(collection);
      if (committed !== undefined) {
        for (const key of committed.docs.keys()) if (overlay?.docs.get(key) !== null) keys.push(key);
      }
    }
    if (overlay !== undefined) {
      const committed = overlay.dropped ? undefined : this.base.collections.get(collection);
      for (const [key, doc] of overlay.docs) if (doc !== null && committed?.docs.has(key) !== true) keys.push(key);
    }
    return keys;
  }

  apply(entry: LogEntry): void {
    switch (entry.cmd) {
      case 'INSERT':
        this.ensure(entry.collection).docs.set(entry.key, entry.value as StoredDoc);
        return;
      case 'DELETE':
        this.ensure(entry.collection).docs.set(entry.key, null);
        return;
      case 'DROP': {
        const overlay = this.ensure(entry.collection);
        overlay.dropped = true;
        overlay.docs.clear();
        return;
      }
      default:
        return;
    }
  }

  private observeKey(collection: string, key: string, committed: StoredDoc | undefined): void {
    const observations = this.observations;
    if (observations === undefined) return;
    let keys = observations.keys.get(collection);
    if (keys === undefined) {
      keys = new Map();
      observations.keys.set(collection, keys);
    }
    if (!keys.has(key)) keys.set(key, committed);
  }

  private observeCollection(collection: string): CollectionState | undefined {
    const state = this.base.collections.get(collection);
    const observations = this.observations;
    if (observations !== undefined && !observations.collections.has(collection)) {
      observations.collections.set(collection, { state, version: state?.version ?? 0 });
    }
    return state;
  }

  private ensure(collection: string): OverlayCollection {
    let overlay = this.collections.get(collection);
    if (overlay === undefined) {
      overlay = { dropped: false, docs: new Map() };
      this.collections.set(collection, overlay);
    }
    return overlay;
  }
}
