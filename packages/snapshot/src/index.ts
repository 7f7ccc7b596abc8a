export { nodeFileSystem, isErrno, type FileSystem, type FileHandle, type FileStat, type OpenMode } from './file-system.js';
export { writeFileAtomic, cleanStaleTemps, isAtomicTempName, ATOMIC_TEMP_SUFFIX, type AtomicWriteData } from './atomic-write.js';
export { SnapshotFormatError, SnapshotEncodeError, type SnapshotFormatReason } from './errors.js';
export {
  IndexSnapshot,
  encodeIndexSnapshot,
  decodeIndexSnapshot,
  writeIndexSnapshot,
  readIndexSnapshot,
  indexSnapshotSize,
  VSNP_MAGIC,
  VSNP_VERSION,
  VSNP_HEADER_SIZE,
  VSNP_ENTRY_SIZE,
  VSNP_CRC_SIZE,
  type IndexSnapshotSource,
} from './index-snapshot.js';
export { rotateBackups, listBackups, type BackupTarget, type RotateOptions, type RotateResult } from './backup-rotation.js';
