/*
 * A printed tour of the record format: `pnpm start` at the repository root runs it.
 * It encodes, decodes, damages and scans a few records, labelling every byte.
 */
import {
  LEGACY_DELETE_MARKER,
  LEGACY_STORE_MARKER,
  decodeRecord,
  encodeDelete,
  encodeStore,
  scanBuffer,
  type DecodeResult,
  type ScanEnd,
} from './index.js';

const text = new TextEncoder();
const utf8 = new TextDecoder();

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

interface Field {
  readonly name: string;
  readonly length: number;
  readonly meaning: string;
}

/** Prints `bytes` one field per line: the hex, the field's name, what it says. */
function showFields(bytes: Uint8Array, fields: readonly Field[]): void {
  let at = 0;
  for (const field of fields) {
    const hex = hexBytes(bytes.subarray(at, at + field.length));
    console.log(`  ${hex.padEnd(24)}  ${field.name.padEnd(8)} ${field.meaning}`);
    at += field.length;
  }
}

function u32At(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

function describe(result: DecodeResult): string {
  switch (result.type) {
    case 'store':
      return `store  id=${result.id} payload=${JSON.stringify(utf8.decode(result.payload))} legacy=${result.legacy} size=${result.size}`;
    case 'delete':
      return `delete id=${result.id} legacy=${result.legacy} size=${result.size}`;
    case 'corrupt':
      return `corrupt marker=0x${result.marker.toString(16)} id=${result.id} size=${result.size} storedCrc=0x${result.storedCrc.toString(16)} computedCrc=0x${result.computedCrc.toString(16)}`;
    case 'incomplete':
      return `incomplete needed=${result.needed} available=${result.available}`;
    case 'unknown':
      return `unknown marker=0x${result.marker.toString(16)}`;
  }
}

function describeEnd(end: ScanEnd): string {
  return `ScanEnd { stop: '${end.stop}', validEnd: ${end.validEnd}, stopOffset: ${end.stopOffset}, tailBytes: ${end.tailBytes} }`;
}

/** A legacy record, framed by hand: the package reads these but never writes them. */
function legacyStore(id: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(13 + payload.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = LEGACY_STORE_MARKER;
  view.setBigUint64(1, BigInt(id), true);
  view.setUint32(9, payload.length, true);
  bytes.set(payload, 13);
  return bytes;
}

function legacyDelete(id: number): Uint8Array {
  const bytes = new Uint8Array(9);
  bytes[0] = LEGACY_DELETE_MARKER;
  new DataView(bytes.buffer).setBigUint64(1, BigInt(id), true);
  return bytes;
}

function heading(title: string): void {
  console.log(`\n== ${title}`);
}

heading('1. A store record: encodeStore(42, "hi")');
const payload = text.encode('hi');
const store = encodeStore(42, payload);
console.log(`${store.length} bytes: ${hexBytes(store)}`);
showFields(store, [
  { name: 'marker', length: 1, meaning: '0xC3 = current store' },
  { name: 'id', length: 8, meaning: '42, u64 little-endian' },
  { name: 'length', length: 4, meaning: `${payload.length}, u32 little-endian` },
  { name: 'payload', length: payload.length, meaning: '"hi"' },
  { name: 'crc32', length: 4, meaning: `0x${u32At(store, 15).toString(16)}: CRC-32 of the 15 bytes before it, u32 little-endian` },
]);

heading('2. A delete record: encodeDelete(2n ** 64n - 1n)');
const del = encodeDelete(2n ** 64n - 1n);
console.log(`${del.length} bytes: ${hexBytes(del)}`);
showFields(del, [
  { name: 'marker', length: 1, meaning: '0xC4 = current delete' },
  { name: 'id', length: 8, meaning: '18446744073709551615 (2^64 - 1), passed as a bigint' },
  { name: 'crc32', length: 4, meaning: `0x${u32At(del, 9).toString(16)}: CRC-32 of the 9 bytes before it` },
]);

heading('3. Decoding them back: decodeRecord(bytes)');
console.log(`  ${describe(decodeRecord(store))}`);
console.log(`  ${describe(decodeRecord(del))}`);

heading('4. One flipped bit: the CRC catches it');
const flipped = Uint8Array.from(store);
const original = store[13] ?? 0;
flipped[13] = original ^ 0x01; // 'h' (0x68) becomes 'i' (0x69)
console.log(`  payload byte 13: 0x${original.toString(16)} -> 0x${(original ^ 0x01).toString(16)}`);
console.log(`  ${describe(decodeRecord(flipped))}`);

heading('5. A truncated record is incomplete, never an error');
console.log(`  first 10 bytes: ${describe(decodeRecord(store.subarray(0, 10)))}   (the header is 13 bytes)`);
console.log(`  first 18 bytes: ${describe(decodeRecord(store.subarray(0, 18)))}   (the length field says 19)`);

heading('6. Scanning a log written before and after the format change');
const log = Buffer.concat([legacyStore(1, text.encode('old')), legacyDelete(2), encodeStore(1, text.encode('new')), encodeDelete(3)]);
console.log(`${log.length} bytes: ${hexBytes(log)}`);
const scanned = scanBuffer(log);
for (const { offset, record } of scanned.entries) console.log(`  @${String(offset).padStart(2)}  ${describe(record)}`);
console.log(`  ${describeEnd(scanned.end)}`);

heading('7. A torn tail: the last write stopped 7 bytes into a record');
const torn = Buffer.concat([log, encodeStore(4, text.encode('lost')).subarray(0, 7)]);
const tornScan = scanBuffer(torn);
console.log(`  ${tornScan.entries.length} records read, then ${describeEnd(tornScan.end)}`);
console.log(`  A writer truncates the file to validEnd (${tornScan.end.validEnd}) before it appends again.`);
