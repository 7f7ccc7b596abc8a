export { nodeFileSystem, isErrno, type FileSystem, type FileHandle, type FileStat, type OpenMode } from './file-system.js';
