import { KilnError, KilnRangeError } from '@kilndb/wal-format';

/**
 * Why a snapshot file was rejected:
 * - `magic`: it does not start with the format's magic bytes;
 * - `version`: a version this code does not read;
 * - `flags`: flag bits or reserved fields this version does not define;
 * - `truncated`: shorter than its header (or an entry's length) says;
 * - `size`: longer than its header says (bytes after the checksum);
 * - `range`: a field holds a value this reader cannot represent (an offset or sequence above 2^53 - 1);
 * - `crc`: the checksum does not match the content.
 */
export type SnapshotFormatReason = 'magic' | 'version' | 'flags' | 'truncated' | 'size' | 'range' | 'crc';

/** A snapshot file that cannot be read; `reason` says what was wrong and `source` names the file. */
export class SnapshotFormatError extends KilnError {
  static override readonly kilnCode = 'KILN_SNAPSHOT_FORMAT';
  override readonly name = 'SnapshotFormatError';
  constructor(
    readonly reason: SnapshotFormatReason,
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

/** A value that cannot be written into a snapshot; `field` names it. */
export class SnapshotEncodeError extends KilnRangeError {
  static override readonly kilnCode = 'KILN_SNAPSHOT_ENCODE';
  override readonly name = 'SnapshotEncodeError';
  constructor(
    readonly field: 'walPosition' | 'offset' | 'count' | 'seq' | 'flags' | 'entry',
    message: string,
  ) {
    super(message);
  }
}
