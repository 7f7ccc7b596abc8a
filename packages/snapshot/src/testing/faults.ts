import type { FaultCode } from './errors.js';

/** Every operation kind the faulty file system counts and can fail. */
export type OperationKind =
  | 'open'
  | 'write'
  | 'read'
  | 'datasync'
  | 'sync'
  | 'truncate'
  | 'close'
  | 'rename'
  | 'unlink'
  | 'mkdir'
  | 'readdir'
  | 'stat'
  | 'syncDirectory';

/** Matches an operation's path(s): an exact path (resolved), a pattern over the absolute path, or a predicate. */
export type PathFilter = string | RegExp | ((absolutePath: string) => boolean);

export interface FaultTarget {
  readonly op: OperationKind;
  /** Only operations on a matching path count (for rename, either side may match). */
  readonly path?: PathFilter;
  /** Fail the `nth` matching operation from now on, 0-based (default 0: the next one). */
  readonly nth?: number;
}

export interface FailureFault extends FaultTarget {
  /** The errno code to reject with (default 'EIO'). */
  readonly code?: FaultCode;
  /** How many consecutive matching operations fail, starting at `nth` (default 1; Infinity for a dead disk). */
  readonly times?: number;
}

export interface TornWriteFault {
  readonly path?: PathFilter;
  readonly nth?: number;
  /** How many bytes of the write land before it rejects with EIO (default: a seeded random count below its length). */
  readonly keepBytes?: number;
}

/** A fault waiting for its operation: `skip` matching operations still pass, then `remaining` fail. */
export interface ArmedFault {
  readonly op: OperationKind;
  readonly matches: (absolutePath: string) => boolean;
  skip: number;
  remaining: number;
  readonly effect: { readonly kind: 'fail'; readonly code: FaultCode } | { readonly kind: 'tear'; readonly keepBytes: number | undefined };
}

export function pathMatcher(filter: PathFilter | undefined, resolve: (p: string) => string): (absolutePath: string) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter;
  if (filter instanceof RegExp) return (p) => filter.test(p);
  const wanted = resolve(filter);
  return (p) => p === wanted;
}

/** Finds the fault that fires for this operation, advancing every matching fault's countdown. */
export function takeFault(faults: ArmedFault[], op: OperationKind, paths: readonly string[]): ArmedFault | undefined {
  let fired: ArmedFault | undefined;
  for (const fault of faults) {
    if (fault.op !== op || fault.remaining <= 0 || !paths.some(fault.matches)) continue;
    if (fault.skip > 0) {
      fault.skip--;
      continue;
    }
    if (fired !== undefined) continue;
    fault.remaining--;
    fired = fault;
  }
  return fired;
}
