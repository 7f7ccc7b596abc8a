import { KilnError } from '@kilndb/wal-format';

/**
 * What is wrong with a MoltenDB input:
 * - `missing`: the file does not exist;
 * - `not-moltendb`: it is not a MoltenDB log or snapshot at all;
 * - `truncated`: it ends before the data it announces;
 * - `corrupt`: it is a MoltenDB file, but part of it cannot be decoded;
 * - `unsupported`: a MoltenDB format this importer does not read (a later compressed snapshot, encrypted entries).
 */
export type MoltenDbInputProblem = 'missing' | 'not-moltendb' | 'truncated' | 'corrupt' | 'unsupported';

/** A MoltenDB log or snapshot that cannot be imported; `path` names the file and `problem` the kind of fault. */
export class MoltenDbInputError extends KilnError {
  static override readonly kilnCode = 'KILN_MOLTENDB_INPUT';
  override readonly name = 'MoltenDbInputError';
  constructor(
    readonly path: string,
    readonly problem: MoltenDbInputProblem,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${detail}`, options);
  }
}

/** The import target already holds files; importing into an existing database is refused so nothing is merged by accident. */
export class ImportTargetNotEmptyError extends KilnError {
  static override readonly kilnCode = 'KILN_IMPORT_TARGET_NOT_EMPTY';
  override readonly name = 'ImportTargetNotEmptyError';
  constructor(
    readonly directory: string,
    readonly entries: readonly string[],
  ) {
    super(`${directory}: the import target is not empty (it holds ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''})`);
  }
}
