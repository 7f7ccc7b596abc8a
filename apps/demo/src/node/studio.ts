import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type KilnServer } from '@kilndb/server';
import { newDevCredentials, readDevCredentials, saveDevCredentials } from './dev-credentials.js';
import { seedOnFirstStart } from './seed.js';
import type { StudioSettings } from './settings.js';

/** The built console, as laid out by `pnpm build` (dist/console beside dist/node). */
export const builtConsoleDir = fileURLToPath(new URL('../console/', import.meta.url));

export interface Studio {
  readonly server: KilnServer;
  readonly rootUser: string;
  readonly rootPassword: string;
  /** True when the password came from the data directory's dev credentials rather than the environment. */
  readonly devCredentials: boolean;
  readonly seeded: boolean;
}

export interface StudioOptions {
  readonly consoleDir?: string;
  readonly logLevel?: 'silent' | 'warn' | 'info';
}

/**
 * Starts the server with the console on the settings' data directory, seeding it on its first start. What the
 * settings leave out of the login comes from the directory's dev credentials, made on the first start.
 */
export async function startStudio(settings: StudioSettings, options: StudioOptions = {}): Promise<Studio> {
  const consoleDir = options.consoleDir ?? builtConsoleDir;
  try {
    await access(join(consoleDir, 'index.html'));
  } catch {
    throw new Error(`The console is not built (no ${join(consoleDir, 'index.html')}); run \`pnpm build\` first`);
  }
  const needsDev = settings.rootUser === undefined || settings.rootPassword === undefined || settings.jwtSecret === undefined;
  const stored = needsDev ? await readDevCredentials(settings.dataDir) : undefined;
  const dev = needsDev ? (stored ?? newDevCredentials()) : undefined;
  const rootUser = settings.rootUser ?? dev?.rootUser ?? 'admin';
  const rootPassword = settings.rootPassword ?? dev?.rootPassword ?? '';
  const server = await startServer({
    dataDir: settings.dataDir,
    host: settings.host,
    port: settings.port,
    durability: 'fsync',
    rootUser,
    rootPassword,
    jwtSecret: settings.jwtSecret ?? dev?.jwtSecret ?? '',
    staticDir: consoleDir,
    rateLimitMax: settings.rateLimit,
    logLevel: options.logLevel ?? 'warn',
  });
  try {
    // Only now that the database exists: the engine will not create one in a directory holding other files.
    if (dev !== undefined && stored === undefined) await saveDevCredentials(settings.dataDir, dev);
    await keepOutOfGit(settings.dataDir);
    const seeded = await seedOnFirstStart(server.db, settings.dataDir);
    return { server, rootUser, rootPassword, devCredentials: settings.rootPassword === undefined, seeded };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** `./data` sits in the checkout; a `.gitignore` of `*` inside keeps the database and its dev password out of commits. */
async function keepOutOfGit(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
}
