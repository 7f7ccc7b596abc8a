import { KilnRangeError } from './kiln-error.js';

/** Thrown when a value cannot be encoded as a record; `field` names what was wrong. */
export class RecordEncodeError extends KilnRangeError {
  static override readonly kilnCode = 'KILN_RECORD_ENCODE';
  override readonly name = 'RecordEncodeError';
  constructor(
    readonly field: 'id' | 'payload' | 'buffer',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown when a decoder is given something it cannot read from: a buffer that is not a `Uint8Array`, or an
 * offset that is not an integer position in it. Never thrown for byte content. `field` names the argument.
 */
export class RecordDecodeError extends KilnRangeError {
  static override readonly kilnCode = 'KILN_RECORD_DECODE';
  override readonly name = 'RecordDecodeError';
  constructor(
    readonly field: 'buffer' | 'chunk' | 'offset' | 'start' | 'baseOffset',
    message: string,
  ) {
    super(message);
  }
}
