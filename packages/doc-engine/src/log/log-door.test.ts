import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe("doc-engine's use of @kilndb/payload-store", () => {
  it('goes through its subpath doors only, never the root that loads PayloadStore', () => {
    const specifiers = new Set<string>();
    const rootImports: string[] = [];
    for (const file of sources(srcDir)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/from '(@kilndb\/payload-store[^']*)'/g)) {
        const specifier = match[1] ?? '';
        specifiers.add(specifier);
        if (specifier === '@kilndb/payload-store') rootImports.push(path.relative(srcDir, file));
      }
    }
    expect(rootImports).toEqual([]);
    expect([...specifiers].sort()).toEqual(['@kilndb/payload-store/json', '@kilndb/payload-store/log', '@kilndb/payload-store/store-files']);
  });
});
