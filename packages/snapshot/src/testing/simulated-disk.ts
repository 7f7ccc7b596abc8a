import * as path from 'node:path';
import { errnoError, SimulatedCrashError } from './errors.js';
import { pathMatcher, takeFault, type ArmedFault, type FailureFault, type OperationKind, type TornWriteFault } from './faults.js';
import { loadDirectory, writeSurvivingTree } from './materialize.js';
import { DirectoryNode, type Node } from './model.js';
import { SeededRandom } from './prng.js';

export interface CrashOptions {
  /**
   * What happens to changes made since the last datasync/sync (files) or syncDirectory (directories):
   * - `random` (default): directory changes are lost; per file, a seeded random prefix of its changes survives, in order;
   * - `drop-unsynced`: nothing unsynced survives;
   * - `keep-unsynced`: everything survives, directory changes included (a killed process rather than lost power).
   */
  readonly mode?: 'random' | 'drop-unsynced' | 'keep-unsynced';
  /** In `random` mode, whether the last surviving write of a file may be cut at a random byte. Default true. */
  readonly torn?: boolean;
  /** Seed for this crash's choices; default: drawn from the file system's seeded sequence. */
  readonly seed?: number;
}

export type Decision =
  | { readonly kind: 'proceed' }
  | { readonly kind: 'down' }
  | { readonly kind: 'crash' }
  | { readonly kind: 'fail'; readonly error: Error }
  | { readonly kind: 'tear'; readonly keepBytes: number | undefined };

/** Something holding a real descriptor that a crash must close. */
export interface RealHandleOwner {
  closeReal(): Promise<void>;
}

const allKinds: readonly OperationKind[] = [
  'open',
  'write',
  'read',
  'datasync',
  'sync',
  'truncate',
  'close',
  'rename',
  'unlink',
  'mkdir',
  'readdir',
  'stat',
  'syncDirectory',
];

/**
 * The state behind a `FaultyFileSystem` and its handles: the durability model of the tree under `root`,
 * operation counters, scheduled faults and the crash.
 */
export class SimulatedDisk {
  readonly root: string;
  readonly tree: DirectoryNode;
  private readonly random: SeededRandom;
  private readonly counts = new Map<OperationKind, number>(allKinds.map((kind) => [kind, 0]));
  private mutations = 0;
  private faults: ArmedFault[] = [];
  private scheduledCrash: { readonly atMutation: number; readonly options: CrashOptions } | undefined;
  private crashCompletion: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly openHandles = new Set<RealHandleOwner>();

  constructor(root: string, seed: number) {
    this.root = path.resolve(root);
    this.random = new SeededRandom(seed);
    this.tree = loadDirectory(this.root);
  }

  get crashed(): boolean {
    return this.crashCompletion !== undefined;
  }

  get mutationCount(): number {
    return this.mutations;
  }

  operationCount(kind?: OperationKind): number {
    if (kind !== undefined) return this.counts.get(kind) ?? 0;
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  failOn(fault: FailureFault): void {
    this.faults.push({
      op: fault.op,
      matches: pathMatcher(fault.path, (p) => path.resolve(p)),
      skip: fault.nth ?? 0,
      remaining: fault.times ?? 1,
      effect: { kind: 'fail', code: fault.code ?? 'EIO' },
    });
  }

  tearWrite(fault: TornWriteFault): void {
    this.faults.push({
      op: 'write',
      matches: pathMatcher(fault.path, (p) => path.resolve(p)),
      skip: fault.nth ?? 0,
      remaining: 1,
      effect: { kind: 'tear', keepBytes: fault.keepBytes },
    });
  }

  clearFaults(): void {
    this.faults = [];
    this.scheduledCrash = undefined;
  }

  crashAfter(mutations: number, options: CrashOptions): void {
    this.scheduledCrash = { atMutation: this.mutations + mutations, options };
  }

  crash(options: CrashOptions): Promise<void> {
    this.crashCompletion ??= this.rewriteAfterCrash(options);
    return this.crashCompletion;
  }

  /** Counts the operation and decides its fate: crashed already, crash now, inject a fault, or go ahead. */
  decide(op: OperationKind, paths: readonly string[], mutating: boolean): Decision {
    if (this.crashed) return { kind: 'down' };
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    if (mutating) {
      const index = this.mutations++;
      if (this.scheduledCrash !== undefined && index >= this.scheduledCrash.atMutation) return { kind: 'crash' };
    }
    const fault = takeFault(this.faults, op, paths);
    if (fault === undefined) return { kind: 'proceed' };
    if (fault.effect.kind === 'tear') return fault.effect;
    return { kind: 'fail', error: errnoError(fault.effect.code, op, paths[0] ?? '') };
  }

  /** Carries out a decision that stops the operation; returns for 'proceed' and 'tear'. */
  async apply(decision: Decision): Promise<void> {
    switch (decision.kind) {
      case 'down':
        return this.down();
      case 'crash':
        await this.crash(this.scheduledCrash?.options ?? {});
        return this.down();
      case 'fail':
        throw decision.error;
      default:
        return;
    }
  }

  /**
   * `apply` for a synchronous operation: a crash starts the rewrite of the tree and throws at once, so the
   * caller must `crash()` (which waits for the rewrite) before it looks at the files.
   */
  applySync(decision: Decision): void {
    switch (decision.kind) {
      case 'crash':
        this.crash(this.scheduledCrash?.options ?? {}).catch(() => undefined);
        throw new SimulatedCrashError();
      case 'down':
        throw new SimulatedCrashError();
      case 'fail':
        throw decision.error;
      default:
        return;
    }
  }

  /** Waits for the real operation, then rejects if the disk crashed meanwhile. */
  async settle<T>(operation: Promise<T>): Promise<T> {
    const result = await this.track(operation);
    if (this.crashed) return this.down();
    return result;
  }

  /** Waits for a real operation without the crash check, so a crash can wait for it to finish. */
  async track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation);
    try {
      return await operation;
    } finally {
      this.inFlight.delete(operation);
    }
  }

  /** Rejects with `SimulatedCrashError` once the crash's rewrite of the tree is done. */
  async down(): Promise<never> {
    await this.crashCompletion;
    throw new SimulatedCrashError();
  }

  randomInt(bound: number): number {
    return this.random.int(bound);
  }

  opened(handle: RealHandleOwner): void {
    this.openHandles.add(handle);
  }

  closed(handle: RealHandleOwner): void {
    this.openHandles.delete(handle);
  }

  /** The absolute form of `filePath`, which must be `root` or under it. */
  resolve(filePath: string): string {
    const absolute = path.resolve(filePath);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new Error(`path '${absolute}' is outside the faulty file system's root '${this.root}'`);
    }
    return absolute;
  }

  /** Names from `root` down to `absolute`. */
  components(absolute: string): string[] {
    const relative = path.relative(this.root, absolute);
    return relative === '' ? [] : relative.split(path.sep);
  }

  /** The live directory node at `absolute`. */
  directoryAt(absolute: string): DirectoryNode {
    let node: Node = this.tree;
    for (const name of this.components(absolute)) {
      const child: Node | undefined = node instanceof DirectoryNode ? node.current.get(name) : undefined;
      if (child === undefined) throw this.outOfSync(absolute);
      node = child;
    }
    if (!(node instanceof DirectoryNode)) throw this.outOfSync(absolute);
    return node;
  }

  outOfSync(absolute: string): Error {
    return new Error(
      `faulty file system model is out of sync at '${absolute}': was it changed by something other than this FaultyFileSystem?`,
    );
  }

  private async rewriteAfterCrash(options: CrashOptions): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.openHandles].map((handle) => handle.closeReal()));
    this.openHandles.clear();
    const mode = options.mode ?? 'random';
    if (mode === 'keep-unsynced') markDirectoriesSynced(this.tree);
    writeSurvivingTree(this.root, this.tree, {
      mode,
      torn: options.torn ?? true,
      random: new SeededRandom(options.seed ?? this.random.int(0x1_0000_0000)),
    });
  }
}

function markDirectoriesSynced(dir: DirectoryNode): void {
  dir.synced();
  for (const child of dir.current.values()) if (child instanceof DirectoryNode) markDirectoriesSynced(child);
}
