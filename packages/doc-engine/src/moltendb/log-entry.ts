/**
 * One line of a MoltenDB 0.x log (and one entry of its MOLTSNAP snapshot): serde's JSON of
 * `LogEntry { cmd, collection, key, value, _t }`.
 */
export interface MoltenLogEntry {
  readonly cmd: string;
  readonly collection: string;
  /** Document key for INSERT/DELETE, field name for INDEX, transaction id for TX_BEGIN/TX_COMMIT. */
  readonly key: string;
  /** The whole document for INSERT, the JSON schema for SCHEMA, null otherwise. */
  readonly value: unknown;
  /** Unix milliseconds; absent in logs written before MoltenDB added point-in-time recovery. */
  readonly _t: number | undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The entry a line holds, or undefined when MoltenDB would skip it: not UTF-8, not JSON, not an object, or
 * `cmd`/`collection`/`key` not strings, or `_t` present but not a non-negative integer. Like serde, unknown
 * fields are ignored and a missing `value` reads as null. Unlike the MoltenDB versions that require `_t`, a
 * missing `_t` is accepted, so logs from before it existed import too.
 */
export function parseMoltenLogEntry(line: string | Uint8Array): MoltenLogEntry | undefined {
  let text: string;
  if (typeof line === 'string') {
    text = line;
  } else {
    try {
      text = strictUtf8.decode(line);
    } catch {
      return undefined;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { cmd, collection, key, value, _t } = parsed as Record<string, unknown>;
  if (typeof cmd !== 'string' || typeof collection !== 'string' || typeof key !== 'string') return undefined;
  if (_t !== undefined && (typeof _t !== 'number' || !Number.isInteger(_t) || _t < 0)) return undefined;
  return { cmd, collection, key, value: value ?? null, _t };
}

/** One JSON line (without its newline) for `entry`, as MoltenDB writes it: fields in struct order. */
export function formatMoltenLogEntry(entry: MoltenLogEntry): string {
  return JSON.stringify({ cmd: entry.cmd, collection: entry.collection, key: entry.key, value: entry.value, _t: entry._t ?? 0 });
}
