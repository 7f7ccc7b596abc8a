import { readSettings, SettingsError } from './settings.js';
import { startStudio } from './studio.js';

// `pnpm start`: KilnDB Studio on ./data (or KILNDB_DATA), until Ctrl-C.
async function main(): Promise<void> {
  const settings = readSettings(process.env, process.cwd());
  const studio = await startStudio(settings);
  const { server } = studio;
  const lines = [
    '',
    `  KilnDB Studio is running at ${server.url}/`,
    `  data directory: ${settings.dataDir}${studio.seeded ? ' (seeded with laptops, memory, display)' : ''}`,
    `  log in as:      ${studio.rootUser} / ${studio.devCredentials ? studio.rootPassword : '(KILNDB_ROOT_PASSWORD)'}`,
    `  API docs:       ${server.url}/docs`,
    '',
    '  Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: closing the server and the database...\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof SettingsError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`kilndb studio: ${message}\n`);
  process.exit(1);
});
