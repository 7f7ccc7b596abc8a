export { nodeFileSystem, isErrno, type FileSystem, type FileHandle, type FileStat, type OpenMode } from './file-system.js';
export { writeFileAtomic, cleanStaleTemps, isAtomicTempName, ATOMIC_TEMP_SUFFIX, type AtomicWriteData } from './atomic-write.js';
