/**
 * A snapshot document entry: tag 'D' · key length u32 (little-endian) · key (UTF-8) · the stored document as
 * JSON. Memory holds documents loaded from a snapshot as these entries until they are first used.
 */
export const TAG_DOC = 0x44;
const KEY_OFFSET = 5;

export function encodeDocEntry(key: string, json: string): Uint8Array {
  const keyBytes = Buffer.byteLength(key);
  const entry = Buffer.allocUnsafe(KEY_OFFSET + keyBytes + Buffer.byteLength(json));
  entry[0] = TAG_DOC;
  entry.writeUInt32LE(keyBytes, 1);
  entry.write(key, KEY_OFFSET, 'utf8');
  entry.write(json, KEY_OFFSET + keyBytes, 'utf8');
  return entry;
}

/** The key of a document entry, or undefined when its length runs past the entry. */
export function heldDocKey(entry: Buffer): string | undefined {
  const keyEnd = KEY_OFFSET + entry.readUInt32LE(1);
  return keyEnd > entry.length ? undefined : entry.toString('utf8', KEY_OFFSET, keyEnd);
}

/** The document JSON of a document entry. */
export function heldDocJson(entry: Uint8Array): string {
  const buf = Buffer.isBuffer(entry) ? entry : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  return buf.toString('utf8', KEY_OFFSET + buf.readUInt32LE(1));
}
