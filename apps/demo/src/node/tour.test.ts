import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTour } from './tour.js';

// The tour's server runs as a child process, so it needs the compiled script (`pnpm build` makes it).
const serverScript = fileURLToPath(new URL('../../dist/node/tour-server.js', import.meta.url));

describe('the kill -9 tour', () => {
  it('finds every acknowledged write after SIGKILL and a restart', async () => {
    await access(serverScript).catch(() => {
      throw new Error(`${serverScript} is missing: run \`pnpm build\` first`);
    });
    const lines: string[] = [];
    const result = await runTour({ writes: 400, killAfter: 120, concurrency: 8, serverScript, log: (line) => lines.push(line) });
    expect(result.acknowledged).toBeGreaterThanOrEqual(120);
    expect(result.lost).toEqual([]);
    expect(lines.some((line) => line.includes('SIGKILL sent'))).toBe(true);
  });
});
