/** A row's reference when the document lacks the field. */
export const ROW_MISSING = 0xffff_ffff;
/** A row's reference when the document's value is an array or object. */
export const ROW_UNINDEXABLE = 0xffff_fffe;
/** A row's reference when the row is no document (e.g. one deleted since): the build passes it over. */
export const ROW_SKIP = 0xffff_fffd;

export type RowValue = number | string | boolean | null;

/**
 * The documents of a collection as a bulk index build reads them, one row each, without a document object:
 * row i has key `key(i)`, `_seq` `seqs[i]` and the value `values[refs[i]]` (or a ROW_* reference).
 * `values` must be distinct.
 */
export interface IndexRows {
  readonly values: readonly RowValue[];
  readonly refs: Uint32Array;
  readonly seqs: Float64Array;
  key(row: number): string;
}

/**
 * The rows holding one value, not yet turned into keys: a bulk build leaves each value's keys to be decoded
 * when the value is first read, so a query reads the keys of the values it touches and no others.
 */
export class RowGroup {
  constructor(
    private readonly rows: Int32Array,
    private readonly source: IndexRows,
  ) {}

  get size(): number {
    return this.rows.length;
  }

  /** The group's `_seq`s and keys, in TieList storage order (`_seq` ascending, then key descending), each pair once. */
  pairs(): { seqs: number[]; keys: string[] } {
    const { rows, source } = this;
    const seqs = new Array<number>(rows.length);
    const keys = new Array<string>(rows.length);
    let ordered = true;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as number;
      seqs[i] = source.seqs[row] as number;
      keys[i] = source.key(row);
      if (i > 0 && !((seqs[i - 1] as number) < (seqs[i] as number))) ordered = false;
    }
    return ordered ? { seqs, keys } : storageOrder(seqs, keys);
  }
}

/** The rows of `rows` grouped for a bulk build: by value (in `values` order), the missing and the unindexable ones (keys, in row order). */
export interface GroupedRows {
  readonly groups: { readonly value: RowValue; readonly group: RowGroup }[];
  readonly missing: string[];
  readonly unindexable: string[];
}

/** Groups the rows with a counting sort on their value reference: linear, and no key decoded but those of missing and unindexable rows. */
export function groupRows(rows: IndexRows): GroupedRows {
  const { values, refs } = rows;
  const distinct = values.length;
  const starts = new Int32Array(distinct + 1);
  const missing: string[] = [];
  const unindexable: string[] = [];
  for (let row = 0; row < refs.length; row++) {
    const ref = refs[row] as number;
    if (ref < distinct) starts[ref + 1] = (starts[ref + 1] as number) + 1;
    else if (ref === ROW_MISSING) missing.push(rows.key(row));
    else if (ref === ROW_UNINDEXABLE) unindexable.push(rows.key(row));
    else if (ref !== ROW_SKIP) throw new RangeError(`index row ${row} refers to value ${ref} of ${distinct}`);
  }
  for (let ref = 0; ref < distinct; ref++) starts[ref + 1] = (starts[ref + 1] as number) + (starts[ref] as number);
  const next = starts.slice(0, distinct);
  const order = new Int32Array(starts[distinct] as number);
  for (let row = 0; row < refs.length; row++) {
    const ref = refs[row] as number;
    if (ref < distinct) order[(next[ref] as number)++] = row;
  }
  const groups: { value: RowValue; group: RowGroup }[] = [];
  for (let ref = 0; ref < distinct; ref++) {
    const start = starts[ref] as number;
    const end = starts[ref + 1] as number;
    if (start < end) groups.push({ value: values[ref] as RowValue, group: new RowGroup(order.subarray(start, end), rows) });
  }
  return { groups, missing, unindexable };
}

/** The pairs sorted into storage order, a pair given twice kept once. */
function storageOrder(seqs: number[], keys: string[]): { seqs: number[]; keys: string[] } {
  const at = Array.from(seqs, (_, i) => i);
  at.sort((a, b) => (seqs[a] as number) - (seqs[b] as number) || ((keys[a] as string) > (keys[b] as string) ? -1 : (keys[a] as string) < (keys[b] as string) ? 1 : 0));
  const sorted: { seqs: number[]; keys: string[] } = { seqs: [], keys: [] };
  for (const i of at) {
    const last = sorted.seqs.length - 1;
    if (last >= 0 && sorted.seqs[last] === seqs[i] && sorted.keys[last] === keys[i]) continue;
    sorted.seqs.push(seqs[i] as number);
    sorted.keys.push(keys[i] as string);
  }
  return sorted;
}
