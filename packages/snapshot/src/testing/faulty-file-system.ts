import * as path from 'node:path';
import { nodeFileSystem, type FileHandle, type FileStat, type FileSystem, type OpenMode } from '../file-system.js';
import { errnoError } from './errors.js';
import type { FailureFault, OperationKind, TornWriteFault } from './faults.js';
import { DirectoryNode, FileNode, type Node, type PendingChange } from './model.js';
import { SimulatedDisk, type CrashOptions, type RealHandleOwner } from './simulated-disk.js';

export interface FaultyFileSystemOptions {
  /** Seeds every random choice (which unsynced writes survive a crash, torn-write lengths). Default 1. */
  readonly seed?: number;
}

/**
 * A `FileSystem` over real files under `root` that remembers what would survive power loss, so a test can
 * crash it at any point and then check what a fresh open finds on disk.
 *
 * It models, per file, the content as of its last datasync/sync plus the changes since; per directory, the
 * entries as of its last syncDirectory (creates, renames and unlinks are not durable before that). Whatever
 * is under `root` when it is constructed counts as durable. All I/O under `root` must go through it while
 * it is in use, and paths outside `root` are refused. `crash()` stops it and rewrites the tree under `root`
 * to one state that could exist after power loss; reopen the directory with `nodeFileSystem` (or a new
 * `FaultyFileSystem`) to check it. Every choice is drawn from `seed`, so a failure replays exactly.
 */
export class FaultyFileSystem implements FileSystem {
  readonly seed: number;
  private readonly disk: SimulatedDisk;

  constructor(root: string, options: FaultyFileSystemOptions = {}) {
    this.seed = options.seed ?? 1;
    this.disk = new SimulatedDisk(root, this.seed);
  }

  /** The absolute directory this file system models. */
  get root(): string {
    return this.disk.root;
  }

  /** True once `crash()` ran or a scheduled crash fired. */
  get crashed(): boolean {
    return this.disk.crashed;
  }

  /**
   * Mutating operations so far: opens that may create or truncate, write, truncate, datasync, sync,
   * rename, unlink, mkdir, syncDirectory (failed ones included).
   */
  get mutationCount(): number {
    return this.disk.mutationCount;
  }

  /** Operations of `kind` so far, failed ones included; all kinds together when omitted. */
  operationCount(kind?: OperationKind): number {
    return this.disk.operationCount(kind);
  }

  /** Fails the `nth` (0-based, from now) matching operation, `times` times, with an errno-style error; it has no effect. */
  failOn(fault: FailureFault): void {
    this.disk.failOn(fault);
  }

  /** Tears the `nth` matching write from now: only its first `keepBytes` bytes land, then it rejects with EIO. */
  tearWrite(fault: TornWriteFault = {}): void {
    this.disk.tearWrite(fault);
  }

  /** Removes every scheduled fault and crash that has not fired. */
  clearFaults(): void {
    this.disk.clearFaults();
  }

  /**
   * Once `mutations` more mutating operations have run, the next one crashes the file system instead: it
   * does not happen (a write may partly survive, as any unsynced write), and it rejects with
   * `SimulatedCrashError` after the tree on disk has been rewritten. Calling `crashAfter(n)` for every n in
   * [0, mutations of a clean run) crashes at every possible point.
   */
  crashAfter(mutations: number, options: CrashOptions = {}): void {
    this.disk.crashAfter(mutations, options);
  }

  /**
   * Simulates power loss: every later call (and every call still under way) rejects with
   * `SimulatedCrashError`, open handles are closed, and the tree under `root` is rewritten to what survived.
   * Resolves when the rewrite is done; later calls return the first crash.
   */
  crash(options: CrashOptions = {}): Promise<void> {
    return this.disk.crash(options);
  }

  async open(filePath: string, mode: OpenMode): Promise<FileHandle> {
    const disk = this.disk;
    const absolute = disk.resolve(filePath);
    await disk.apply(disk.decide('open', [absolute], mode !== 'read' && mode !== 'readWrite'));
    const real = await disk.track(nodeFileSystem.open(absolute, mode));
    if (disk.crashed) {
      await real.close().catch(() => undefined);
      return disk.down();
    }
    const parent = disk.directoryAt(path.dirname(absolute));
    const name = path.basename(absolute);
    let node = parent.current.get(name);
    if (node === undefined) {
      node = new FileNode(new Uint8Array(0));
      parent.current.set(name, node);
    } else if (mode === 'truncate' && node instanceof FileNode) {
      node.record({ kind: 'truncate', length: 0 });
    }
    const handle = new FaultyFileHandle(disk, absolute, real, node);
    disk.opened(handle);
    return handle;
  }

  async readFile(filePath: string): Promise<Uint8Array> {
    const absolute = this.disk.resolve(filePath);
    await this.disk.apply(this.disk.decide('read', [absolute], false));
    return this.disk.settle(nodeFileSystem.readFile(absolute));
  }

  async rename(from: string, to: string): Promise<void> {
    const disk = this.disk;
    const source = disk.resolve(from);
    const target = disk.resolve(to);
    await disk.apply(disk.decide('rename', [source, target], true));
    await disk.settle(nodeFileSystem.rename(source, target));
    const sourceDir = disk.directoryAt(path.dirname(source));
    const node = sourceDir.current.get(path.basename(source));
    if (node === undefined) throw disk.outOfSync(source);
    sourceDir.current.delete(path.basename(source));
    disk.directoryAt(path.dirname(target)).current.set(path.basename(target), node);
  }

  async unlink(filePath: string): Promise<void> {
    const absolute = this.disk.resolve(filePath);
    await this.disk.apply(this.disk.decide('unlink', [absolute], true));
    await this.disk.settle(nodeFileSystem.unlink(absolute));
    this.disk.directoryAt(path.dirname(absolute)).current.delete(path.basename(absolute));
  }

  async readdir(dir: string): Promise<string[]> {
    const absolute = this.disk.resolve(dir);
    await this.disk.apply(this.disk.decide('readdir', [absolute], false));
    return this.disk.settle(nodeFileSystem.readdir(absolute));
  }

  async mkdir(dir: string): Promise<void> {
    const disk = this.disk;
    const absolute = disk.resolve(dir);
    await disk.apply(disk.decide('mkdir', [absolute], true));
    await disk.settle(nodeFileSystem.mkdir(absolute));
    let node = disk.tree;
    for (const name of disk.components(absolute)) {
      let child = node.current.get(name);
      if (child === undefined) {
        child = new DirectoryNode();
        node.current.set(name, child);
      }
      if (!(child instanceof DirectoryNode)) throw disk.outOfSync(absolute);
      node = child;
    }
  }

  async stat(filePath: string): Promise<FileStat | undefined> {
    const absolute = this.disk.resolve(filePath);
    await this.disk.apply(this.disk.decide('stat', [absolute], false));
    return this.disk.settle(nodeFileSystem.stat(absolute));
  }

  async syncDirectory(dir: string): Promise<void> {
    const disk = this.disk;
    const absolute = disk.resolve(dir);
    await disk.apply(disk.decide('syncDirectory', [absolute], true));
    const node = disk.directoryAt(absolute);
    const entries = new Map(node.current);
    await disk.settle(nodeFileSystem.syncDirectory(absolute));
    node.synced(entries);
  }
}

/** A handle of `FaultyFileSystem`: the real handle plus the model of the file it changes. */
class FaultyFileHandle implements FileHandle, RealHandleOwner {
  constructor(
    private readonly disk: SimulatedDisk,
    readonly path: string,
    private readonly real: FileHandle,
    private readonly node: Node,
  ) {}

  async write(data: Uint8Array, position: number): Promise<void> {
    const decision = this.disk.decide('write', [this.path], true);
    // The write that crashes the system was under way: like any unsynced write, it may partly survive.
    if (decision.kind === 'crash') this.record({ kind: 'write', position, data: data.slice() });
    await this.disk.apply(decision);
    if (decision.kind === 'tear') {
      const landed = this.tornPart(data, decision.keepBytes);
      await this.disk.settle(this.real.write(landed, position));
      this.record({ kind: 'write', position, data: landed });
      throw errnoError('EIO', 'write', this.path);
    }
    await this.disk.settle(this.real.write(data, position));
    this.record({ kind: 'write', position, data: data.slice() });
  }

  writeSync(data: Uint8Array, position: number): void {
    const decision = this.disk.decide('write', [this.path], true);
    if (decision.kind === 'crash') this.record({ kind: 'write', position, data: data.slice() });
    this.disk.applySync(decision);
    if (decision.kind === 'tear') {
      const landed = this.tornPart(data, decision.keepBytes);
      this.real.writeSync(landed, position);
      this.record({ kind: 'write', position, data: landed });
      throw errnoError('EIO', 'write', this.path);
    }
    this.real.writeSync(data, position);
    this.record({ kind: 'write', position, data: data.slice() });
  }

  async read(into: Uint8Array, position: number): Promise<number> {
    await this.disk.apply(this.disk.decide('read', [this.path], false));
    return this.disk.settle(this.real.read(into, position));
  }

  readSync(into: Uint8Array, position: number): number {
    this.disk.applySync(this.disk.decide('read', [this.path], false));
    return this.real.readSync(into, position);
  }

  datasync(): Promise<void> {
    return this.flush('datasync');
  }

  datasyncSync(): void {
    this.disk.applySync(this.disk.decide('datasync', [this.path], true));
    const covered = this.node instanceof FileNode ? this.node.pendingCount : 0;
    // Real handles come from nodeFileSystem, which has it.
    (this.real.datasyncSync as () => void).call(this.real);
    if (this.node instanceof FileNode) this.node.synced(covered);
  }

  sync(): Promise<void> {
    return this.flush('sync');
  }

  async truncate(length: number): Promise<void> {
    await this.disk.apply(this.disk.decide('truncate', [this.path], true));
    await this.disk.settle(this.real.truncate(length));
    this.record({ kind: 'truncate', length });
  }

  async size(): Promise<number> {
    await this.disk.apply(this.disk.decide('stat', [this.path], false));
    return this.disk.settle(this.real.size());
  }

  async close(): Promise<void> {
    const decision = this.disk.decide('close', [this.path], false);
    if (decision.kind === 'down') return this.disk.down();
    // close(2) releases the descriptor even when it reports an error, so an injected failure closes too.
    this.disk.closed(this);
    await this.real.close();
    await this.disk.apply(decision);
  }

  closeReal(): Promise<void> {
    return this.real.close();
  }

  private async flush(op: 'datasync' | 'sync'): Promise<void> {
    await this.disk.apply(this.disk.decide(op, [this.path], true));
    // Only changes made before the flush started are covered by it.
    const covered = this.node instanceof FileNode ? this.node.pendingCount : 0;
    await this.disk.settle(op === 'sync' ? this.real.sync() : this.real.datasync());
    if (this.node instanceof FileNode) this.node.synced(covered);
  }

  /** The prefix of a torn write that lands. */
  private tornPart(data: Uint8Array, keepBytes: number | undefined): Uint8Array {
    return data.slice(0, Math.min(keepBytes ?? this.disk.randomInt(data.length), data.length));
  }

  private record(change: PendingChange): void {
    if (this.node instanceof FileNode) this.node.record(change);
  }
}
