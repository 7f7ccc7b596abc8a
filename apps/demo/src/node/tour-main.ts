import { runTour } from './tour.js';

// `pnpm --filter @kilndb/demo tour`: the kill -9 tour in the terminal; exits 1 if any acknowledged write was lost.
const result = await runTour({ writes: 2000, killAfter: 300 + Math.floor(Math.random() * 300), concurrency: 16, log: (line) => process.stdout.write(`${line}\n`) });
process.stdout.write(
  result.lost.length === 0
    ? `\nEvery one of the ${result.acknowledged} acknowledged writes survived the SIGKILL.\n`
    : `\n${result.lost.length} acknowledged writes were lost.\n`,
);
process.exitCode = result.lost.length === 0 ? 0 : 1;
