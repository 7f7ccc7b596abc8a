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
export {
  writeDocumentSnapshot,
  readDocumentSnapshot,
  decodeDocumentSnapshot,
  readDocumentSnapshotFrames,
  decodeDocumentSnapshotFrames,
  KILNDOCS_MAGIC,
  KILNDOCS_VERSION,
  KILNDOCS_FLAG_ENCRYPTED,
  KILNDOCS_HEADER_SIZE,
  KILNDOCS_LENGTH_SIZE,
  KILNDOCS_CRC_SIZE,
  KILNDOCS_MAX_ENTRY_LENGTH,
  decodeDocumentSnapshotHeader,
  readDocumentSnapshotHeader,
  type DocumentSnapshot,
  type DocumentSnapshotFrames,
  type DocumentSnapshotHeader,
  type DocumentSnapshotInput,
} from './document-snapshot.js';
export { readMoltenSnapshot, MOLTSNAP_MAGIC, MOLTSNAP_HEADER_SIZE, MOLTSNAP_LENGTH_SIZE, type MoltenSnapshot } from './molten-snapshot.js';
