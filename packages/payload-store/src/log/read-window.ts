import { crc32 as zlibCrc32 } from 'node:zlib';
import type { FileHandle } from '@kilndb/snapshot';

/** Reads a log file through a window of recent bytes; every refill is a new buffer, so record views stay valid. */
export class ReadWindow {
  private window = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle | undefined,
    public end: number,
    readonly chunkBytes: number,
  ) {}

  /** Whether the window holds the bytes `[at, at + n)`, cut at the end of the file. */
  covers(at: number, n: number): boolean {
    return at >= this.windowStart && at + Math.max(0, Math.min(n, this.end - at)) <= this.windowStart + this.window.length;
  }

  /** Makes the bytes `[at, at + n)` (cut at the end of the file) readable through the window; returns how many are. */
  async ensure(at: number, n: number): Promise<number> {
    const want = Math.max(0, Math.min(n, this.end - at));
    if (this.covers(at, n)) return want;
    const size = Math.max(0, Math.min(Math.max(want, this.chunkBytes), this.end - at));
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size && this.handle !== undefined) {
      const read = await this.handle.read(buf.subarray(got), at + got);
      if (read === 0) break;
      got += read;
    }
    // The file was shorter than its size said: its end is where the reads stopped.
    if (got < size) this.end = at + got;
    this.window = got === size ? buf : buf.subarray(0, got);
    this.windowStart = at;
    return Math.min(want, got);
  }

  /** The bytes from `at` to the end of the window (reading a chunk first unless the window holds `at`); n = 0 at the end of the file. */
  async rest(at: number): Promise<{ readonly buf: Uint8Array; readonly index: number; readonly n: number }> {
    if (!this.covers(at, 1)) await this.ensure(at, this.chunkBytes);
    const index = at - this.windowStart;
    return { buf: this.window, index, n: Math.max(0, Math.min(this.window.length - index, this.end - at)) };
  }

  /** The window and the index of file offset `at` in it; valid after `ensure` covered `at`. */
  bytes(at: number): { readonly buf: Uint8Array; readonly index: number } {
    return { buf: this.window, index: at - this.windowStart };
  }

  byte(at: number): number {
    return this.window[at - this.windowStart] ?? 0;
  }

  u32(at: number): number {
    const i = at - this.windowStart;
    const w = this.window;
    return ((w[i] ?? 0) | ((w[i + 1] ?? 0) << 8) | ((w[i + 2] ?? 0) << 16) | ((w[i + 3] ?? 0) << 24)) >>> 0;
  }

  u64(at: number): bigint {
    return (BigInt(this.u32(at + 4)) << 32n) | BigInt(this.u32(at));
  }

  /** CRC-32 of the file bytes `[at, at + n)`, read in chunks beside the window (for records too large to hold just to check). */
  async crcOf(at: number, n: number): Promise<number> {
    const chunk = new Uint8Array(Math.min(n, this.chunkBytes));
    let crc = 0;
    for (let done = 0; done < n; ) {
      const read = await (this.handle as FileHandle).read(chunk.subarray(0, Math.min(chunk.length, n - done)), at + done);
      if (read === 0) return -1;
      crc = zlibCrc32(chunk.subarray(0, read), crc);
      done += read;
    }
    return crc;
  }
}
