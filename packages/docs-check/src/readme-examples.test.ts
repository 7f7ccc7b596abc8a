/*
 * Every TypeScript block of every README (the root one, packages/* and apps/*) is type-checked with the
 * repository's strict settings against the built packages and run in a fresh temporary directory with a
 * time limit. A block is a complete program unless its first line is `// continues the block above`;
 * ```ts no-run blocks are type-checked only, and there may be only a few. CONTRIBUTING.md has the rules.
 * Needs the packages built (`pnpm build`), like the other tests that import @kilndb packages.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPrograms, runProgram, typeCheck, writeWorkspace, type ExampleWorkspace } from './examples.js';

/** At most this many programs may skip execution: each one is a promise nobody checks. */
const MAX_NO_RUN = 2;
const RUN_TIMEOUT_MS = 30_000;
const PUBLISHED_READMES = ['packages/doc-engine/README.md', 'packages/payload-store/README.md', 'packages/snapshot/README.md', 'packages/wal-format/README.md'];

const programs = collectPrograms();
let workspace: ExampleWorkspace | undefined;
let typeErrors = new Map<string, string[]>();

beforeAll(async () => {
  workspace = await writeWorkspace(programs);
  typeErrors = await typeCheck(workspace);
}, 180_000);

afterAll(async () => {
  if (workspace !== undefined) await rm(workspace.dir, { recursive: true, force: true });
});

describe('README examples', () => {
  it('are found in every published package README', () => {
    const files = new Set(programs.map((program) => program.file));
    expect(PUBLISHED_READMES.filter((readme) => !files.has(readme))).toEqual([]);
  });

  it(`skip execution in at most ${MAX_NO_RUN} programs`, () => {
    const skipped = programs.filter((program) => program.noRun).map((program) => `${program.file}:${program.blocks[0]?.line ?? 0}`);
    expect(skipped.length, `no-run programs: ${skipped.join(', ')}`).toBeLessThanOrEqual(MAX_NO_RUN);
  });

  it('type-check without errors outside any one program', () => {
    expect(typeErrors.get('') ?? []).toEqual([]);
  });

  programs.forEach((program, index) => {
    const label = `${program.file}:${program.blocks[0]?.line ?? 0}`;
    it(`${label} type-checks${program.noRun ? ' (no-run)' : ' and runs'}`, async () => {
      const written = workspace?.programs[index];
      if (written === undefined) throw new Error('the example workspace was not written');
      expect(typeErrors.get(written.tsFile) ?? []).toEqual([]);
      if (program.noRun) return;
      const result = await runProgram(written.jsFile, RUN_TIMEOUT_MS);
      const output = `stdout:\n${result.stdout.slice(-2000)}\nstderr:\n${result.stderr.slice(-4000)}`;
      expect(result.timedOut, `${label} still running after ${RUN_TIMEOUT_MS} ms\n${output}`).toBe(false);
      expect(result.code, `${label} exited with ${result.code ?? result.signal}\n${output}`).toBe(0);
    }, RUN_TIMEOUT_MS + 10_000);
  });
});
