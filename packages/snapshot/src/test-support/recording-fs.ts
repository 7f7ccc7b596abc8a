import { nodeFileSystem, type FileHandle, type FileSystem } from '../file-system.js';

/** The real file system, noting the length of every `write` made through the handles it opens. */
export function recordingWrites(): { fs: FileSystem; writes: number[] } {
  const writes: number[] = [];
  const fs: FileSystem = {
    ...nodeFileSystem,
    async open(filePath, mode) {
      const handle = await nodeFileSystem.open(filePath, mode);
      const recorded: FileHandle = {
        path: handle.path,
        write: (data, position) => {
          writes.push(data.length);
          return handle.write(data, position);
        },
        writeSync: (data, position) => {
          writes.push(data.length);
          handle.writeSync(data, position);
        },
        read: (into, position) => handle.read(into, position),
        readSync: (into, position) => handle.readSync(into, position),
        datasync: () => handle.datasync(),
        sync: () => handle.sync(),
        truncate: (length) => handle.truncate(length),
        size: () => handle.size(),
        close: () => handle.close(),
      };
      return recorded;
    },
  };
  return { fs, writes };
}
