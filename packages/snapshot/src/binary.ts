import { SAFE_HIGH_WORD_LIMIT, TWO_POW_32, u64High, u64Low } from '@kilndb/wal-format';
import { SnapshotFormatError } from './errors.js';

export function isSafeU64(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Writes a non-negative safe integer as u64 little-endian, without a bigint. */
export function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, u64Low(value), true);
  view.setUint32(at + 4, u64High(value), true);
}

/** Reads a u64 little-endian as a number; a `range` format error names `field` when it is above 2^53 - 1. */
export function readSafeU64(view: DataView, at: number, source: string, field: string): number {
  const high = view.getUint32(at + 4, true);
  if (high >= SAFE_HIGH_WORD_LIMIT) throw new SnapshotFormatError('range', source, `${field} is above 2^53 - 1`);
  return view.getUint32(at, true) + high * TWO_POW_32;
}

export function hexBytes(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`;
}

export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** The same bytes as a plain Uint8Array (not a Buffer), so views cut from it compare and behave as Uint8Arrays. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
