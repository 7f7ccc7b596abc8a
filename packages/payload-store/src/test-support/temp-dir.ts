import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { tempDirMaker } from '@kilndb/snapshot/testing';
import { afterEach } from 'vitest';

/**
 * Where simulated-crash tests put their files: memory-backed when the machine has /dev/shm. The faulty file
 * system models what an fsync makes durable, so a real fsync there would only cost time.
 */
export const SIMULATION_BASE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** A fresh directory `kiln-payload-<prefix>-XXXXXX` under `base` (the OS temp dir by default), removed after the current test. */
export const tempDir = tempDirMaker('kiln-payload', afterEach);
