import type { FileSystem } from '@kilndb/snapshot';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const CHUNK_SIZE = 1024 * 1024;

function withoutCarriageReturn(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
}

/**
 * The lines of a file as Rust's `BufRead::lines` (which MoltenDB uses) sees them: split at `\n`, one trailing
 * `\r` removed, no line after a final `\n`. Reads in 1 MiB chunks, so a log of any size streams; each yielded
 * line is only valid until the next one is requested.
 */
export async function* readLines(fs: FileSystem, filePath: string): AsyncGenerator<Uint8Array> {
  const handle = await fs.open(filePath, 'read');
  try {
    let carry = new Uint8Array(0);
    let position = 0;
    for (;;) {
      const chunk = new Uint8Array(CHUNK_SIZE);
      const read = await handle.read(chunk, position);
      if (read === 0) break;
      position += read;
      let data = chunk.subarray(0, read);
      if (carry.length > 0) {
        const joined = new Uint8Array(carry.length + data.length);
        joined.set(carry, 0);
        joined.set(data, carry.length);
        data = joined;
      }
      let start = 0;
      for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
        yield withoutCarriageReturn(data.subarray(start, end));
        start = end + 1;
      }
      carry = data.slice(start);
    }
    if (carry.length > 0) yield withoutCarriageReturn(carry);
  } finally {
    await handle.close();
  }
}
