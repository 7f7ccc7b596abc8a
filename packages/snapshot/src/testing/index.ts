export { FaultyFileSystem, type FaultyFileSystemOptions } from './faulty-file-system.js';
export type { CrashOptions } from './simulated-disk.js';
export type { FailureFault, TornWriteFault, FaultTarget, OperationKind, PathFilter } from './faults.js';
export { SimulatedCrashError, errnoError, type FaultCode, type InjectedErrnoError } from './errors.js';
export { SeededRandom } from './prng.js';
export { wrapHandles } from './wrap-handles.js';
export { tempDirMaker, type TempDirMaker } from './temp-dirs.js';
export { errorClassTable, otherCopyError, type ErrorClassRow } from './error-table.js';
