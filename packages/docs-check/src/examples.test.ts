import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findReadmes, runProgram } from './examples.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'docs-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runProgram', () => {
  it('reports a program that never ends as timed out, and kills it', async () => {
    const file = path.join(dir, 'hang.mjs');
    await writeFile(file, 'setInterval(() => {}, 1000);');
    const started = Date.now();
    const result = await runProgram(file, 300);
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reports an unsettled top-level await as a non-zero exit, in a fresh working directory', async () => {
    const file = path.join(dir, 'stuck.mjs');
    await writeFile(file, 'console.log(process.cwd()); await new Promise(() => {});');
    const result = await runProgram(file, 10_000);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(13);
    expect(path.basename(result.stdout.trim())).toMatch(/^kiln-example-/);
  });
});

describe('findReadmes', () => {
  it('finds the root README and those one level under packages/ and apps/', async () => {
    const root = path.join(dir, 'repo');
    for (const readme of ['README.md', 'packages/a/README.md', 'apps/b/README.md', 'packages/c/docs/README.md']) {
      await mkdir(path.dirname(path.join(root, readme)), { recursive: true });
      await writeFile(path.join(root, readme), '# x');
    }
    expect(findReadmes(root)).toEqual(['README.md', 'packages/a/README.md', 'apps/b/README.md']);
  });
});
