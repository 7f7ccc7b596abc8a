export {
  STORE_MARKER,
  DELETE_MARKER,
  LEGACY_STORE_MARKER,
  LEGACY_DELETE_MARKER,
  STORE_OVERHEAD,
  DELETE_RECORD_SIZE,
  LEGACY_STORE_OVERHEAD,
  LEGACY_DELETE_RECORD_SIZE,
  LENGTH_FIELD_OFFSET,
  PAYLOAD_OFFSET,
  MAX_PAYLOAD_LENGTH,
  storeRecordSize,
} from './markers.js';
export { RecordEncodeError, RecordDecodeError } from './errors.js';
export {
  KilnError,
  KilnTypeError,
  KilnRangeError,
  isKilnError,
  hasErrorCode,
  asError,
  type KilnErrorClass,
} from './kiln-error.js';
export { u64Low, u64High, TWO_POW_32, SAFE_HIGH_WORD_LIMIT } from './u64.js';
export { toRecordId } from './id.js';
export { crc32 } from './crc.js';
export { encodeStore, encodeDelete, encodeStoreInto, encodeDeleteInto, frameStoreInPlace } from './encode.js';
export {
  decodeRecord,
  type DecodeResult,
  type StoreRecord,
  type DeleteRecord,
  type CorruptRecord,
  type IncompleteRecord,
  type UnknownRecord,
  type ValidRecord,
} from './decode.js';
export { scanRecords, scanBuffer, type ScanEntry, type ScanEnd } from './scan.js';
export { RecordStreamDecoder, decodeRecordStream } from './stream.js';
export { isAllZero } from './zero-tail.js';
