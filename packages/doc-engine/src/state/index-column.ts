import { compileReader, setOwn, toFieldPath } from '../query/values.js';

/**
 * A snapshot index entry ('X', after the documents of its collection): what a secondary index on `field`
 * holds, one row per document in the order of the collection's document entries, so an open rebuilds the
 * index without parsing a document:
 *
 *   'X' · header length u32 · header JSON { "field", "docs": n, "values": [distinct scalars] }
 *   · n × value reference u32 (an index into `values`; MISSING: no such field; UNINDEXABLE: an array or object)
 *   · n × the document's `_seq` f64
 *
 * All integers little-endian; the entry is exactly 5 + header length + 12·n bytes.
 */
export const TAG_INDEX = 0x58;
export const MISSING = 0xffff_ffff;
export const UNINDEXABLE = 0xffff_fffe;
const HEADER_AT = 5;

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** One document as the column needs it: the value its index field reads (undefined: missing) and its `_seq`. */
export interface ColumnRow {
  readonly value: unknown;
  readonly seq: number;
}

/** Encodes the index entry of `field` over `rows` (one per document entry, in order). */
export function encodeIndexColumn(field: string, count: number, rows: Iterable<ColumnRow>): Uint8Array {
  const refs = new Map<Scalar, number>();
  const values: Scalar[] = [];
  const body = Buffer.allocUnsafe(12 * count);
  let i = 0;
  for (const { value, seq } of rows) {
    let ref: number;
    if (value === undefined) ref = MISSING;
    else if (!isScalar(value)) ref = UNINDEXABLE;
    else {
      ref = refs.get(value) ?? values.length;
      if (ref === values.length) {
        refs.set(value, ref);
        values.push(value);
      }
    }
    body.writeUInt32LE(ref, 4 * i);
    body.writeDoubleLE(seq, 4 * count + 8 * i);
    i++;
  }
  if (i !== count) throw new Error(`index column of "${field}": ${i} rows for ${count} documents`);
  const header = JSON.stringify({ field, docs: count, values });
  const headerBytes = Buffer.byteLength(header);
  const entry = Buffer.allocUnsafe(HEADER_AT + headerBytes + body.length);
  entry[0] = TAG_INDEX;
  entry.writeUInt32LE(headerBytes, 1);
  entry.write(header, HEADER_AT, 'utf8');
  body.copy(entry, HEADER_AT + headerBytes);
  return entry;
}

/**
 * A decoded index entry, its rows copied out of the snapshot (so the snapshot's bytes can go without it).
 * The framing is checked on decode; each row's reference is checked by `restore`.
 */
export class IndexColumn {
  private readonly segments: readonly string[];

  private constructor(
    readonly field: string,
    readonly docs: number,
    private readonly values: readonly Scalar[],
    private readonly rows: Buffer,
  ) {
    this.segments = toFieldPath(field).segments;
  }

  /** Decodes `plain[start, end)`, or says what is wrong with it. */
  static decode(plain: Buffer, start: number, end: number): IndexColumn | string {
    if (end - start < HEADER_AT) return 'the entry is shorter than its header length';
    const headerEnd = start + HEADER_AT + plain.readUInt32LE(start + 1);
    if (headerEnd > end) return 'the header length runs past the entry';
    let header: unknown;
    try {
      header = JSON.parse(plain.toString('utf8', start + HEADER_AT, headerEnd));
    } catch {
      return 'the header is not JSON';
    }
    const { field, docs, values } = (header ?? {}) as { field?: unknown; docs?: unknown; values?: unknown };
    if (typeof field !== 'string' || typeof docs !== 'number' || !Number.isSafeInteger(docs) || docs < 0) return 'the header lacks field or docs';
    if (!Array.isArray(values) || !values.every(isScalar)) return 'the header values are not a list of scalars';
    if (end - headerEnd !== 12 * docs) return `the rows take ${end - headerEnd} bytes, not 12 per each of ${docs} documents`;
    for (let row = 0; row < docs; row++) {
      const ref = plain.readUInt32LE(headerEnd + 4 * row);
      if (ref >= values.length && ref !== MISSING && ref !== UNINDEXABLE) return `row ${row} refers to value ${ref} of ${values.length}`;
      if (!Number.isSafeInteger(plain.readDoubleLE(headerEnd + 4 * docs + 8 * row))) return `row ${row} has no integer _seq`;
    }
    return new IndexColumn(field, docs, values, Buffer.from(plain.subarray(headerEnd, end)));
  }

  /** What document `row` reads on the field (undefined when missing; an empty array for an array or object) and its `_seq`. */
  row(row: number): ColumnRow {
    const ref = this.rows.readUInt32LE(4 * row);
    const seq = this.rows.readDoubleLE(4 * this.docs + 8 * row);
    if (ref === MISSING) return { value: undefined, seq };
    return { value: ref === UNINDEXABLE ? [] : this.values[ref], seq };
  }

  /** A stand-in for document `row` (key `key`) that an index on the field reads as it reads the document: `_key`, `_seq` and the field's value. */
  standIn(row: number, key: string): Record<string, unknown> {
    const ref = this.rows.readUInt32LE(4 * row);
    const seq = this.rows.readDoubleLE(4 * this.docs + 8 * row);
    const value = ref === MISSING ? undefined : ref === UNINDEXABLE ? [] : this.values[ref];
    const { segments } = this;
    const doc: Record<string, unknown> = { _key: key, _seq: seq };
    if (value === undefined) return doc;
    let at = doc;
    const last = segments.length - 1;
    for (let i = 0; i < last; i++) {
      const next: Record<string, unknown> = {};
      setOwn(at, segments[i] as string, next);
      at = next;
    }
    setOwn(at, segments[last] as string, value);
    return doc;
  }
}

/** The rows of `field` over documents: each document's value on the field (as an index reads it) and `_seq`. */
export function fieldRows(field: string): (doc: Record<string, unknown>) => ColumnRow {
  const read = compileReader(toFieldPath(field).segments);
  return (doc) => ({ value: read(doc), seq: typeof doc._seq === 'number' ? doc._seq : 0 });
}
