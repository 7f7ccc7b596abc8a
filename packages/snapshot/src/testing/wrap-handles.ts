import type { FileHandle, FileSystem } from '../file-system.js';

/**
 * `base` with every handle it opens passed through `override`: the methods it returns replace the handle's
 * own, the rest go straight through. For tests that count or fail particular calls.
 */
export function wrapHandles(base: FileSystem, override: (inner: FileHandle) => Partial<FileHandle>): FileSystem {
  const wrap = (inner: FileHandle): FileHandle => ({
    path: inner.path,
    write: (data, position) => inner.write(data, position),
    writeSync: (data, position) => {
      inner.writeSync(data, position);
    },
    read: (into, position) => inner.read(into, position),
    readSync: (into, position) => inner.readSync(into, position),
    datasync: () => inner.datasync(),
    ...(inner.datasyncSync === undefined ? {} : { datasyncSync: inner.datasyncSync.bind(inner) }),
    sync: () => inner.sync(),
    truncate: (length) => inner.truncate(length),
    size: () => inner.size(),
    close: () => inner.close(),
    ...override(inner),
  });
  return { ...base, open: async (filePath, mode) => wrap(await base.open(filePath, mode)) };
}
