import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';

const created: string[] = [];

afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed after the current test. */
export function tempDir(prefix = 'db'): string {
  const dir = mkdtempSync(path.join(tmpdir(), `kiln-doc-engine-${prefix}-`));
  created.push(dir);
  return dir;
}
