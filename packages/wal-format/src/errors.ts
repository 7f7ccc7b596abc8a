/** Thrown when a value cannot be encoded as a record; `field` names what was wrong. */
export class RecordEncodeError extends RangeError {
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
export class RecordDecodeError extends RangeError {
  override readonly name = 'RecordDecodeError';
  constructor(
    readonly field: 'buffer' | 'chunk' | 'offset' | 'start' | 'baseOffset',
    message: string,
  ) {
    super(message);
  }
}
