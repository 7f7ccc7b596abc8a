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
