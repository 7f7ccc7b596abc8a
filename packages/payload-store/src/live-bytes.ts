import { ABSENT, UNKNOWN_SIZE } from './id-index.js';

/** Bytes of the records the index points at, as far as their sizes are known. */
export class LiveBytes {
  constructor(
    /** Sum of the known record sizes. */
    public known: number,
    /** Entries whose record size is not known yet (loaded from a snapshot). */
    public unknown: number,
  ) {}

  /** An entry now points at a record of `size` bytes instead of `previous` (either may be ABSENT or UNKNOWN_SIZE). */
  replace(previous: number, size: number): void {
    if (previous === UNKNOWN_SIZE) this.unknown--;
    else if (previous !== ABSENT) this.known -= previous;
    if (size === UNKNOWN_SIZE) this.unknown++;
    else if (size !== ABSENT) this.known += size;
  }
}
