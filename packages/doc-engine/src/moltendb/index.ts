export { importMoltenDb, readMoltenDb, moltenSnapshotPath, type ImportMoltenDbOptions, type MoltenImportSummary } from './import.js';
export { exportJsonl, type ExportJsonlOptions, type JsonlExportSummary } from './export.js';
export { replayMoltenDb, MoltenReplayer, type MoltenReplay, type MoltenReplayStats } from './molten-log-replay.js';
export { parseMoltenDbSnapshot, type MoltenDbSnapshot } from './snapshot-reader.js';
export { parseMoltenLogEntry, formatMoltenLogEntry, type MoltenLogEntry } from './log-entry.js';
export type { RejectedDocument, RejectedDocumentReason } from './documents.js';
export { MoltenDbInputError, ImportTargetNotEmptyError, type MoltenDbInputProblem } from './errors.js';
