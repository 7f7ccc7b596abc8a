import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Makes a fresh directory named `<label>-<prefix>-XXXXXX` under `base` (the OS temp dir by default). */
export type TempDirMaker = (prefix?: string, base?: string) => string;

/**
 * The one temp-dir helper of the packages' tests: every directory it makes is removed after the test that
 * made it. It is handed the runner's `afterEach`, so this published entry needs no test runner of its own.
 */
export function tempDirMaker(label: string, afterEach: (cleanup: () => void) => void): TempDirMaker {
  const created: string[] = [];
  afterEach(() => {
    for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix, base = tmpdir()) => {
    const dir = mkdtempSync(path.join(base, prefix === undefined ? `${label}-` : `${label}-${prefix}-`));
    created.push(dir);
    return dir;
  };
}
