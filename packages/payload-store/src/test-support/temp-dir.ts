import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';

const created: string[] = [];

afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Where simulated-crash tests put their files: memory-backed when the machine has /dev/shm. The faulty file
 * system models what an fsync makes durable, so a real fsync there would only cost time.
 */
export const SIMULATION_BASE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** A fresh directory under `base` (the OS temp dir by default), removed after the current test. */
export function tempDir(prefix = 'store', base = tmpdir()): string {
  const dir = mkdtempSync(path.join(base, `kiln-payload-${prefix}-`));
  created.push(dir);
  return dir;
}
