import { startServer } from '../server.js';
import { describeError } from './errors.js';
import { asFlagError, type ServePlan } from './serve-options.js';

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ServeIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/**
 * Runs the server until SIGTERM or SIGINT, then closes it (requests in flight finish, the database is
 * closed) and resolves with the exit code: 0 after a clean close, 1 when closing failed. A second signal
 * while closing exits at once with 1.
 */
export async function serve(plan: ServePlan, io: ServeIo): Promise<number> {
  for (const note of plan.notes) io.err(note);
  const server = await startServer(plan.input).catch((error: unknown) => {
    throw asFlagError(error);
  });
  io.out(`KilnDB listening on ${server.url}`);
  if (plan.dev) {
    const { rootUser, rootPassword, jwtSecret } = plan.generated;
    io.out(`dev mode: log in as ${JSON.stringify(plan.input.rootUser)} with password ${JSON.stringify(plan.input.rootPassword)}${rootUser !== undefined || rootPassword !== undefined ? ' (generated)' : ''}`);
    if (jwtSecret === true) io.out('dev mode: the JWT secret is generated at each start, so tokens end with this process');
    if (!LOOPBACK.has(server.config.host)) io.err(`warning: --dev on ${server.config.host} serves printed development credentials beyond this machine`);
  }
  return new Promise<number>((resolve) => {
    let closing = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing) {
        io.err(`kilndb serve: ${signal} again while closing; exiting without waiting`);
        resolve(1);
        return;
      }
      closing = true;
      io.err(`kilndb serve: ${signal}: closing (requests in flight finish first)`);
      server
        .close()
        .then(
          () => {
            io.err('kilndb serve: closed');
            resolve(0);
          },
          (error: unknown) => {
            io.err(`kilndb serve: closing failed: ${describeError(error)}`);
            resolve(1);
          },
        );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
