const ZEROS = new Uint8Array(64 * 1024);

/**
 * Whether every byte is zero. A run of zeros from the last record to the end of a log file is space the
 * writer preallocated and never used, the clean end of the log (FORMAT.md, "Preallocated space: the zero
 * tail"); readers check the bytes after the last record with this.
 */
export function isAllZero(bytes: Uint8Array): boolean {
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + ZEROS.length));
    // Buffer.compare is a memcmp: a preallocated tail of several MiB is checked without a byte loop.
    if (Buffer.compare(part, ZEROS.subarray(0, part.length)) !== 0) return false;
  }
  return true;
}
