/**
 * A snapshot document entry: tag 'D' · key length u32 (little-endian) · key (UTF-8) · the stored document as
 * JSON. Memory holds documents loaded from a snapshot as these entries, in place in the snapshot's bytes,
 * until they are first used (doc-table.ts).
 */
export const TAG_DOC = 0x44;
/** Where the key starts in a document entry. */
export const KEY_OFFSET = 5;

export function encodeDocEntry(key: string, json: string): Uint8Array {
  const keyBytes = Buffer.byteLength(key);
  const entry = Buffer.allocUnsafe(KEY_OFFSET + keyBytes + Buffer.byteLength(json));
  entry[0] = TAG_DOC;
  entry.writeUInt32LE(keyBytes, 1);
  entry.write(key, KEY_OFFSET, 'utf8');
  entry.write(json, KEY_OFFSET + keyBytes, 'utf8');
  return entry;
}

/** Whether the document entry at `bytes[start, end)` is long enough for its tag, key length and key. */
export function docEntryFits(bytes: Buffer, start: number, end: number): boolean {
  return end - start >= KEY_OFFSET && start + KEY_OFFSET + bytes.readUInt32LE(start + 1) <= end;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-8 bytes `bytes[from, to)`. */
export function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let hash = FNV_OFFSET;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return mix(hash);
}

/** MurmurHash3's finalizer: FNV-1a alone leaves keys that differ in their last character in nearby buckets. */
function mix(value: number): number {
  let hash = value;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-8 bytes of `text`, or -1 when it is not ASCII (the caller then encodes it). */
export function hashAscii(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
  return mix(hash);
}

/** Whether `bytes[a, a + length)` equals `bytes[b, b + length)`. */
export function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/** Whether the ASCII string `text` equals the bytes `bytes[from, from + length)`. */
export function asciiEquals(text: string, bytes: Uint8Array, from: number, length: number): boolean {
  if (text.length !== length) return false;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) !== bytes[from + i]) return false;
  return true;
}
