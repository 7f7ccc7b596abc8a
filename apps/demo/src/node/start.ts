import type { KilnServer } from '@kilndb/server';
import { readSettings } from './settings.js';

// `pnpm start`: KilnDB Studio on ./data (or KILNDB_DATA), until Ctrl-C.

let server: KilnServer | undefined;
let stopping: NodeJS.Signals | undefined;

/** Ctrl-C (or SIGTERM) closes the server and the database and exits 0, also when it arrives during the start. */
function stop(signal: NodeJS.Signals): void {
  if (stopping !== undefined) return;
  stopping = signal;
  process.stdout.write(`\n${signal}: closing the server and the database...\n`);
  if (server !== undefined) closeAndExit(server);
}

function closeAndExit(running: KilnServer): void {
  running.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`kilndb studio: close failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

async function main(): Promise<void> {
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const settings = readSettings(process.env, process.cwd());
  // Loaded after the handlers are in place: the server's modules take seconds to load on a busy machine,
  // and a Ctrl-C meanwhile should still end in a clean exit.
  const { startStudio } = await import('./studio.js');
  const studio = await startStudio(settings);
  server = studio.server;
  if (stopping !== undefined) {
    closeAndExit(server);
    return;
  }
  const lines = [
    '',
    `  KilnDB Studio is running at ${server.url}/`,
    `  data directory: ${settings.dataDir}${studio.seeded ? ' (seeded with laptops, memory, display)' : ''}`,
    `  log in as:      ${studio.rootUser} / ${studio.devCredentials ? studio.rootPassword : '(the password in KILNDB_ROOT_PASSWORD)'}`,
    `  API docs:       ${server.url}/docs`,
    '',
    '  Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`kilndb studio: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
