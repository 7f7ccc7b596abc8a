import { nodeFileSystem, type FileSystem } from '../file-system.js';
import { wrapHandles } from '../testing/wrap-handles.js';

/** The real file system, noting the length of every `write` made through the handles it opens. */
export function recordingWrites(): { fs: FileSystem; writes: number[] } {
  const writes: number[] = [];
  const fs = wrapHandles(nodeFileSystem, (handle) => ({
    write: (data, position) => {
      writes.push(data.length);
      return handle.write(data, position);
    },
    writeSync: (data, position) => {
      writes.push(data.length);
      handle.writeSync(data, position);
    },
  }));
  return { fs, writes };
}
