import { constants } from 'node:os';
import { KilnError } from '@kilndb/wal-format';

/**
 * Thrown by every call on a `FaultyFileSystem` (or one of its handles) after it crashed:
 * the simulated machine lost power, so nothing after that point may take effect.
 */
export class SimulatedCrashError extends KilnError {
  static override readonly kilnCode = 'KILN_SIMULATED_CRASH';
  override readonly name = 'SimulatedCrashError';
  constructor(message = 'simulated crash: the file system is down') {
    super(message);
  }
}

/** The errno codes a scheduled fault can fail an operation with. */
export type FaultCode = 'EIO' | 'ENOSPC' | 'EDQUOT' | 'EACCES' | 'EPERM' | 'EROFS' | 'EMFILE' | 'EBUSY' | 'ENOENT' | 'EEXIST';

const descriptions: Record<FaultCode, string> = {
  EIO: 'i/o error',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EBUSY: 'resource busy or locked',
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
};

/** An error shaped like the ones `node:fs` rejects with (`code`, `errno`, `syscall`, `path`), marked as injected. */
export interface InjectedErrnoError extends NodeJS.ErrnoException {
  code: FaultCode;
  readonly injected: true;
}

export function errnoError(code: FaultCode, syscall: string, filePath: string): InjectedErrnoError {
  const error = new Error(`${code}: ${descriptions[code]}, ${syscall} '${filePath}' (injected fault)`) as InjectedErrnoError;
  error.code = code;
  error.errno = -constants.errno[code];
  error.syscall = syscall;
  error.path = filePath;
  Object.defineProperty(error, 'injected', { value: true, enumerable: false });
  return error;
}
