import { ROW_MISSING, ROW_SKIP, ROW_UNINDEXABLE, type IndexRows } from '../query/index-rows.js';
import { compileReader, toFieldPath } from '../query/values.js';
import type { DocTable } from './doc-table.js';

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
export const MISSING = ROW_MISSING;
export const UNINDEXABLE = ROW_UNINDEXABLE;
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
 * A decoded index entry, its rows copied out of the snapshot into typed arrays (so the snapshot's bytes can go
 * without it, and a bulk index build reads them as they are). Every row is checked on decode.
 */
export class IndexColumn {
  private constructor(
    readonly field: string,
    readonly docs: number,
    /** The distinct scalars the rows refer to. */
    readonly values: readonly Scalar[],
    /** Each row's reference into `values`, or MISSING / UNINDEXABLE. */
    readonly refs: Uint32Array,
    /** Each row's `_seq`. */
    readonly seqs: Float64Array,
  ) {}

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
    const refs = new Uint32Array(docs);
    const seqs = new Float64Array(docs);
    // Byte copies into fresh (aligned) arrays: the file is little-endian, as is every platform Node runs on.
    new Uint8Array(refs.buffer).set(plain.subarray(headerEnd, headerEnd + 4 * docs));
    new Uint8Array(seqs.buffer).set(plain.subarray(headerEnd + 4 * docs, end));
    for (let row = 0; row < docs; row++) {
      const ref = refs[row] as number;
      if (ref >= values.length && ref !== MISSING && ref !== UNINDEXABLE) return `row ${row} refers to value ${ref} of ${values.length}`;
      if (!Number.isSafeInteger(seqs[row])) return `row ${row} has no integer _seq`;
    }
    return new IndexColumn(field, docs, values, refs, seqs);
  }

  /** What document `row` reads on the field (undefined when missing; an empty array for an array or object) and its `_seq`. */
  row(row: number): ColumnRow {
    const ref = this.refs[row] as number;
    const seq = this.seqs[row] as number;
    if (ref === MISSING) return { value: undefined, seq };
    return { value: ref === UNINDEXABLE ? [] : this.values[ref], seq };
  }
}

/** The rows of `field` over documents: each document's value on the field (as an index reads it) and `_seq`. */
export function fieldRows(field: string): (doc: Record<string, unknown>) => ColumnRow {
  const read = compileReader(toFieldPath(field).segments);
  return (doc) => ({ value: read(doc), seq: typeof doc._seq === 'number' ? doc._seq : 0 });
}

/**
 * The held slots of `docs` as rows for a bulk index build on `column`'s field: a slot still unparsed reads
 * its row of the column; a parsed one (perhaps changed since) its document; a deleted one is skipped.
 */
export function heldRows(docs: DocTable, column: IndexColumn): IndexRows {
  let { values, refs, seqs } = column;
  let refOf: Map<Scalar, number> | undefined;
  const read = fieldRows(column.field);
  let copied = false;
  docs.forEachChangedSlot((slot, doc) => {
    if (!copied) {
      // The column stays as loaded: a later snapshot writes rows of held documents from it.
      [values, refs, seqs, copied] = [[...values], refs.slice(), seqs.slice(), true];
    }
    if (doc === undefined) {
      refs[slot] = ROW_SKIP;
      return;
    }
    const { value, seq } = read(doc);
    seqs[slot] = seq;
    if (value === undefined) refs[slot] = MISSING;
    else if (!isScalar(value)) refs[slot] = UNINDEXABLE;
    else {
      const known = (refOf ??= new Map(values.map((scalar, ref) => [scalar, ref])));
      let ref = known.get(value);
      if (ref === undefined) {
        ref = (values as Scalar[]).push(value) - 1;
        known.set(value, ref);
      }
      refs[slot] = ref;
    }
  });
  return { values, refs, seqs, key: (row) => docs.keyOf(row) };
}
