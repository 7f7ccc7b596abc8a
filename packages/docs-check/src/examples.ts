/*
 * Finds the READMEs, writes their programs out as TypeScript files beside this package (so
 * `@kilndb/*` resolves through this package's workspace dependencies to the built packages),
 * type-checks them with the repository's compiler settings and runs the emitted JavaScript.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractTypeScriptBlocks, groupPrograms, sourceLine, type Program } from './extract.js';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(packageDir, '../..');

/** The root README and every README.md one level under packages/ and apps/, as repo-relative paths. */
export function findReadmes(root: string = repoRoot): string[] {
  const found = existsSync(path.join(root, 'README.md')) ? ['README.md'] : [];
  for (const parent of ['packages', 'apps']) {
    const dir = path.join(root, parent);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const readme = path.join(parent, entry.name, 'README.md');
      if (entry.isDirectory() && existsSync(path.join(root, readme))) found.push(readme);
    }
  }
  return found;
}

/** Every program of every README under `root`. */
export function collectPrograms(root: string = repoRoot): Program[] {
  return findReadmes(root).flatMap((readme) =>
    groupPrograms(extractTypeScriptBlocks(readme, readFileSync(path.join(root, readme), 'utf8'))),
  );
}

export interface WrittenProgram {
  readonly program: Program;
  /** Label for test names and messages: the README and the line of its first block. */
  readonly label: string;
  readonly tsFile: string;
  readonly jsFile: string;
}

export interface ExampleWorkspace {
  readonly dir: string;
  readonly programs: readonly WrittenProgram[];
}

/** Writes each program as `pNN.ts` in a fresh directory inside this package, with a tsconfig beside them. */
export async function writeWorkspace(programs: readonly Program[]): Promise<ExampleWorkspace> {
  const dir = await mkdtemp(path.join(packageDir, '.examples-'));
  const written: WrittenProgram[] = [];
  for (const [index, program] of programs.entries()) {
    const name = `p${String(index).padStart(2, '0')}`;
    const tsFile = path.join(dir, `${name}.ts`);
    // `export {}` keeps a program without imports a module, so top-level await is allowed.
    await writeFile(tsFile, `${program.source}\nexport {};\n`);
    const first = program.blocks[0];
    written.push({ program, label: `${program.file}:${first?.line ?? 0}`, tsFile, jsFile: path.join(dir, 'out', `${name}.js`) });
  }
  const tsconfig = {
    extends: path.join(repoRoot, 'tsconfig.base.json'),
    compilerOptions: {
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      rootDir: '.',
      outDir: 'out',
    },
    include: ['*.ts'],
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return { dir, programs: written };
}

/** Type errors per program file (absolute path), each message already pointing at the README line. */
export async function typeCheck(workspace: ExampleWorkspace): Promise<Map<string, string[]>> {
  const require = createRequire(import.meta.url);
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const result = await runNode([tsc, '-p', path.join(workspace.dir, 'tsconfig.json'), '--pretty', 'false'], workspace.dir, 120_000);
  if (result.timedOut) throw new Error('tsc did not finish within 120 s');
  const errors = new Map<string, string[]>();
  const byName = new Map(workspace.programs.map((written) => [path.basename(written.tsFile), written]));
  let last: string[] | undefined;
  for (const line of result.stdout.split('\n')) {
    const match = /^(p\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const written = match === null ? undefined : byName.get(match[1] ?? '');
    if (match === null || written === undefined) {
      // A diagnostic's continuation lines belong to the one before; anything else is a global error.
      if (line.trim() !== '') (last ?? globalErrors(errors)).push(line);
      continue;
    }
    const at = sourceLine(written.program, Number(match[2]));
    last = errors.get(written.tsFile) ?? [];
    errors.set(written.tsFile, last);
    last.push(`${at.file}:${at.line}:${match[3] ?? ''} ${match[4] ?? ''}`);
  }
  if (result.code !== 0 && errors.size === 0) globalErrors(errors).push(`tsc exited with ${result.code}: ${result.stderr}`);
  return errors;
}

function globalErrors(errors: Map<string, string[]>): string[] {
  const list = errors.get('') ?? [];
  errors.set('', list);
  return list;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs `node args…` in `cwd`, killed with SIGKILL after `timeoutMs`. */
export function runNode(args: readonly string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs a compiled program in a fresh, empty working directory (removed afterwards). */
export async function runProgram(jsFile: string, timeoutMs: number): Promise<RunResult> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'kiln-example-'));
  try {
    return await runNode([jsFile], cwd, timeoutMs);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
