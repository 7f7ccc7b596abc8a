import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Relative modules `file` loads when it is evaluated (type-only imports and exports are erased, so left out). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';/gms)) {
    const specifier = match[3];
    if (match[2] !== undefined || specifier === undefined) continue;
    found.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** Every source module evaluated when `entry` is, relative to src/. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [path.join(srcDir, entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const name = path.relative(srcDir, file);
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...runtimeImports(file));
  }
  return seen;
}

describe('the @kilndb/payload-store/log entry', () => {
  it('loads the log and none of the store', () => {
    const graph = importGraph('log/index.ts');
    expect(graph).toContain('log/append-log.ts');
    expect(graph).toContain('log/log-reader.ts');
    expect(graph).toContain('log/directory-lock.ts');
    for (const store of ['payload-store.ts', 'id-index.ts', 'store-compaction.ts', 'json-value.ts', 'payload-json.ts', 'maintenance.ts']) {
      expect(graph, store).not.toContain(store);
    }
    // Outside its folder the log needs only the error classes.
    expect([...graph].filter((name) => !name.startsWith('log/'))).toEqual(['errors.ts']);
  });

  it('is what the root entry loads the log through', () => {
    expect(importGraph('index.ts')).toContain('log/index.ts');
    expect(runtimeImports(path.join(srcDir, 'payload-store.ts'))).toContain(path.join(srcDir, 'log', 'index.ts'));
  });
});
