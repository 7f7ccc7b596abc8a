/** File names inside a store directory, as VelesDB lays it out, plus KilnDB's compaction file. */
export const LOG_FILE = 'payloads.log';
export const SNAPSHOT_FILE = 'payloads.snapshot';
/** The log compaction is writing; a stale one (from a crash) is removed on open. */
export const COMPACTION_FILE = 'payloads.log.compact';
