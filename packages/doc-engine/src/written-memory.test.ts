/**
 * Documents written from code keep as little memory as documents parsed from JSON: the engine keeps its
 * copy of a written document (no parse of the logged JSON), so the copy must be as compact as a parse
 * (strings flat and their own, repeated short values shared, fields inside the object). Measured in a child process with
 * the built package and --expose-gc, so the test's own heap is not counted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './test-support/temp-dir.js';

const SCRIPT = fileURLToPath(new URL('./test-support/written-memory.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function heapPerDoc(origin: 'code' | 'parsed' | 'sliced'): { bytesPerDoc: number; jsonBytes: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', SCRIPT, tempDir(`written-${origin}`), origin], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as { bytesPerDoc: number; jsonBytes: number };
}

describe('memory of written documents', () => {
  it('is about the same for documents built in code, or from slices of a larger text, as for documents parsed from JSON', () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run pnpm build first`);
    const parsed = heapPerDoc('parsed');
    const code = heapPerDoc('code');
    expect(code.bytesPerDoc).toBeLessThan(parsed.bytesPerDoc * 1.08);
    // A kept slice would keep its batch's whole text alive: about 2 KB more per document (5× in all). These
    // documents' keys are longer (25 characters), hence the looser bound.
    const sliced = heapPerDoc('sliced');
    expect(sliced.bytesPerDoc).toBeLessThan(parsed.bytesPerDoc * 1.5);
    expect(parsed.bytesPerDoc).toBeLessThan(parsed.jsonBytes * 3);
  }, 120_000);
});
