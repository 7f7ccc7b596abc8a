import { describe, expect, it } from 'vitest';
import { CONTINUES_MARKER, ExampleLayoutError, extractTypeScriptBlocks, groupPrograms, sourceLine } from './extract.js';

const md = [
  '# Title',            // 1
  '```ts',              // 2
  'const a = 1;',       // 3
  '```',                // 4
  '```sh',              // 5
  'pnpm start',         // 6
  '```',                // 7
  '```ts',              // 8
  CONTINUES_MARKER,     // 9
  'console.log(a);',    // 10
  '```',                // 11
  '````typescript no-run', // 12
  '```not a fence end', // 13
  '````',               // 14
].join('\n');

describe('extractTypeScriptBlocks', () => {
  it('keeps TypeScript blocks only, with their first code line and flags', () => {
    const blocks = extractTypeScriptBlocks('R.md', md);
    expect(blocks.map(({ line, code, noRun, continues }) => ({ line, code, noRun, continues }))).toEqual([
      { line: 3, code: 'const a = 1;', noRun: false, continues: false },
      { line: 9, code: `${CONTINUES_MARKER}\nconsole.log(a);`, noRun: false, continues: true },
      { line: 13, code: '```not a fence end', noRun: true, continues: false },
    ]);
  });

  it('refuses an unknown flag and an unclosed block, naming the line', () => {
    expect(() => extractTypeScriptBlocks('R.md', 'x\n```ts norun\n```')).toThrow(new ExampleLayoutError('R.md:2: unknown code block flag "norun" (only "no-run")'));
    expect(() => extractTypeScriptBlocks('R.md', '```ts\nconst a = 1;')).toThrow(/R\.md:1: code block is never closed/);
  });

  it('strips the indentation of a fence inside a list item', () => {
    expect(extractTypeScriptBlocks('R.md', '- item\n  ```ts\n  const a = 1;\n  ```')[0]?.code).toBe('const a = 1;');
  });
});

describe('groupPrograms', () => {
  it('joins a continuation to the block before it and maps lines back', () => {
    const programs = groupPrograms(extractTypeScriptBlocks('R.md', md));
    expect(programs.map((program) => [program.blocks.length, program.noRun])).toEqual([[2, false], [1, true]]);
    const first = programs[0]!;
    expect(first.source).toBe(`const a = 1;\n${CONTINUES_MARKER}\nconsole.log(a);`);
    expect([1, 2, 3].map((line) => sourceLine(first, line).line)).toEqual([3, 9, 10]);
  });

  it('refuses a continuation with nothing before it, or across files', () => {
    const lone = extractTypeScriptBlocks('A.md', `\`\`\`ts\n${CONTINUES_MARKER}\n\`\`\``);
    expect(() => groupPrograms(lone)).toThrow(/A\.md:2: .* no TypeScript block before it/);
    const first = extractTypeScriptBlocks('B.md', '```ts\nconst b = 1;\n```');
    expect(() => groupPrograms([...first, ...lone])).toThrow(ExampleLayoutError);
  });

  it('refuses a continuation whose no-run marking differs from its program', () => {
    const blocks = extractTypeScriptBlocks('R.md', `\`\`\`ts\nconst a = 1;\n\`\`\`\n\`\`\`ts no-run\n${CONTINUES_MARKER}\n\`\`\``);
    expect(() => groupPrograms(blocks)).toThrow(/R\.md:5: a continuation must be marked "no-run"/);
  });
});
