/**
 * Bytes from hex pairs; whitespace is ignored and `#` starts a comment that runs to the end of the line.
 * Lets golden vectors be written by hand, one labelled field per line.
 */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/#.*$/gm, '').replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})*$/i.test(digits)) throw new Error(`not hex byte pairs: ${text}`);
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A copy of `bytes` with bit `bit` (0 = lowest bit of byte 0) inverted. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3] = copy[bit >> 3]! ^ (1 << (bit & 7));
  return copy;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** u64 little-endian, written without the package's code. */
export function u64le(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

export function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}
