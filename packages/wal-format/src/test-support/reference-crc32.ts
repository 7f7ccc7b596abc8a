/**
 * CRC-32/IEEE computed bit by bit from its definition (reflected polynomial 0xEDB88320, initial value
 * and final xor 0xFFFFFFFF). Deliberately shares nothing with the package's table and zlib paths so
 * golden vectors are checked against an independent computation.
 */
export function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffff_ffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (crc & 1 ? 0xedb8_8320 : 0);
  }
  return (crc ^ 0xffff_ffff) >>> 0;
}
