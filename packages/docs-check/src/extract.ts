/*
 * Splits a Markdown file into its TypeScript code blocks and groups them into programs.
 *
 * Conventions (CONTRIBUTING.md states them for writers):
 * - A block fenced as ```ts (or ```typescript) is a complete program, unless its first line is
 *   exactly CONTINUES_MARKER: then it continues the TypeScript block before it in the same file,
 *   and the two (or more) are checked and run as one program.
 * - ```ts no-run marks a block that is type-checked but not executed. Every block of one program
 *   carries the same marking.
 */

export const CONTINUES_MARKER = '// continues the block above';
export const NO_RUN_FLAG = 'no-run';

const TS_LANGUAGES = new Set(['ts', 'typescript']);

export interface CodeBlock {
  /** The Markdown file, as given. */
  readonly file: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  readonly line: number;
  readonly code: string;
  readonly noRun: boolean;
  readonly continues: boolean;
}

export interface Program {
  readonly file: string;
  /** The blocks in order; the first is not a continuation, the rest are. */
  readonly blocks: readonly CodeBlock[];
  readonly noRun: boolean;
  /** The blocks joined by newlines. */
  readonly source: string;
}

/** A README whose blocks break the conventions: the message names the file and line. */
export class ExampleLayoutError extends Error {
  override readonly name = 'ExampleLayoutError';
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/** Every fenced block whose info string starts with a TypeScript language name. */
export function extractTypeScriptBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let index = 0;
  while (index < lines.length) {
    const open = FENCE.exec(lines[index] ?? '');
    if (open === null) {
      index++;
      continue;
    }
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const words = (open[3] ?? '').trim().split(/\s+/).filter((word) => word !== '');
    const body: string[] = [];
    let closed = false;
    let at = index + 1;
    for (; at < lines.length; at++) {
      const text = lines[at] ?? '';
      if (isClosingFence(text, fence)) {
        closed = true;
        break;
      }
      body.push(stripIndent(text, indent));
    }
    if (!closed) throw new ExampleLayoutError(`${file}:${index + 1}: code block is never closed`);
    const language = words[0]?.toLowerCase();
    if (language !== undefined && TS_LANGUAGES.has(language)) {
      const flags = words.slice(1);
      const unknown = flags.filter((flag) => flag !== NO_RUN_FLAG);
      if (unknown.length > 0) {
        throw new ExampleLayoutError(`${file}:${index + 1}: unknown code block flag ${unknown.map((f) => JSON.stringify(f)).join(', ')} (only "${NO_RUN_FLAG}")`);
      }
      blocks.push({
        file,
        line: index + 2,
        code: body.join('\n'),
        noRun: flags.includes(NO_RUN_FLAG),
        continues: (body[0] ?? '').trim() === CONTINUES_MARKER,
      });
    }
    index = at + 1;
  }
  return blocks;
}

/** A closing fence is the opening fence's character, at least as many times, and nothing else. */
function isClosingFence(text: string, fence: string): boolean {
  const trimmed = text.trim();
  return trimmed.length >= fence.length && trimmed.replaceAll(fence.charAt(0), '') === '';
}

function stripIndent(text: string, indent: number): string {
  let cut = 0;
  while (cut < indent && text[cut] === ' ') cut++;
  return text.slice(cut);
}

/** Groups blocks into programs: each block starts one, unless it continues the one before. */
export function groupPrograms(blocks: readonly CodeBlock[]): Program[] {
  const groups: CodeBlock[][] = [];
  for (const block of blocks) {
    const current = groups.at(-1);
    if (!block.continues) {
      groups.push([block]);
      continue;
    }
    const previous = current?.at(-1);
    if (current === undefined || previous === undefined || previous.file !== block.file) {
      throw new ExampleLayoutError(`${block.file}:${block.line}: "${CONTINUES_MARKER}" but there is no TypeScript block before it in this file`);
    }
    if (previous.noRun !== block.noRun) {
      throw new ExampleLayoutError(`${block.file}:${block.line}: a continuation must be marked "${NO_RUN_FLAG}" exactly when the block it continues is`);
    }
    current.push(block);
  }
  return groups.map((group) => {
    const first = group[0];
    if (first === undefined) throw new Error('empty program group');
    return { file: first.file, blocks: group, noRun: first.noRun, source: group.map((block) => block.code).join('\n') };
  });
}

/** Maps a 1-based line of `program.source` back to the Markdown file's line. */
export function sourceLine(program: Program, line: number): { file: string; line: number } {
  let start = 1;
  for (const block of program.blocks) {
    const count = block.code.split('\n').length;
    if (line < start + count) return { file: block.file, line: block.line + (line - start) };
    start += count;
  }
  const last = program.blocks.at(-1);
  return { file: program.file, line: last === undefined ? 0 : last.line };
}
