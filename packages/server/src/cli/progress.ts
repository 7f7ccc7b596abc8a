import { nodeFileSystem, type FileHandle, type FileSystem } from '@kilndb/snapshot';
import cliProgress from 'cli-progress';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';

/** Progress of a long command, in bytes read; a no-op unless the output is a terminal. */
export interface Progress {
  /** The file system the command does its I/O through: reads count towards the bar. */
  readonly fs: FileSystem;
  start(label: string, totalBytes: number): void;
  advance(bytes: number): void;
  stop(): void;
}

/** A bar on stderr when stdout and stderr are terminals; nothing at all when either is piped or redirected. */
export function createProgress(interactive = process.stdout.isTTY && process.stderr.isTTY): Progress {
  if (!interactive) return { fs: nodeFileSystem, start: () => undefined, advance: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: '{label} [{bar}] {percentage}% | {done} of {size}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let value = 0;
  let total = 0;
  let running = false;
  const progress: Progress = {
    fs: countingFileSystem(nodeFileSystem, (bytes) => {
      progress.advance(bytes);
    }),
    start(label, totalBytes) {
      if (running) bar.stop();
      value = 0;
      total = Math.max(totalBytes, 1);
      running = true;
      bar.start(total, 0, { label, done: formatBytes(0), size: formatBytes(totalBytes) });
    },
    advance(bytes) {
      if (!running) return;
      value = Math.min(total, value + bytes);
      bar.update(value, { done: formatBytes(value) });
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
  return progress;
}

/** Wraps a file system so every byte read through it is reported to `onRead`. */
export function countingFileSystem(base: FileSystem, onRead: (bytes: number) => void): FileSystem {
  const wrap = (handle: FileHandle): FileHandle => ({
    path: handle.path,
    write: (data, position) => handle.write(data, position),
    writeSync: (data, position) => {
      handle.writeSync(data, position);
    },
    async read(into, position) {
      const read = await handle.read(into, position);
      onRead(read);
      return read;
    },
    readSync(into, position) {
      const read = handle.readSync(into, position);
      onRead(read);
      return read;
    },
    datasync: () => handle.datasync(),
    ...(handle.datasyncSync === undefined ? {} : { datasyncSync: handle.datasyncSync.bind(handle) }),
    sync: () => handle.sync(),
    truncate: (length) => handle.truncate(length),
    size: () => handle.size(),
    close: () => handle.close(),
  });
  return {
    ...base,
    open: async (filePath, mode) => wrap(await base.open(filePath, mode)),
    async readFile(filePath) {
      const bytes = await base.readFile(filePath);
      onRead(bytes.length);
      return bytes;
    },
  };
}

/** Total size of the regular files under `dir` (recursively); 0 when it is missing. */
export async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined);
    if (info?.isDirectory() === true) total += await bytesUnder(full);
    else if (info?.isFile() === true) total += info.size;
  }
  return total;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit] ?? 'TiB'}`;
}
