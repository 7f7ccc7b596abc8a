import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The root login and token secret of a Studio data directory, made on its first start. */
export interface DevCredentials {
  readonly rootUser: string;
  readonly rootPassword: string;
  readonly jwtSecret: string;
}

/** Kept beside the database so tokens and the printed password stay valid across restarts. */
export const DEV_CREDENTIALS_FILE = 'studio-dev-credentials.json';

/**
 * Random credentials. A fresh password per data directory means a console left listening on a network
 * address has no well-known login.
 */
export function newDevCredentials(): DevCredentials {
  return { rootUser: 'admin', rootPassword: randomBytes(9).toString('base64url'), jwtSecret: randomBytes(32).toString('base64url') };
}

/** The credentials stored in `dataDir`, or undefined when there are none yet. */
export async function readDevCredentials(dataDir: string): Promise<DevCredentials | undefined> {
  const file = join(dataDir, DEV_CREDENTIALS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseCredentials(text, file);
}

/**
 * Stores `credentials` in `dataDir` (mode 0600). Called once the database exists there: the engine refuses to
 * create a database in a directory already holding files it does not know.
 */
export async function saveDevCredentials(dataDir: string, credentials: DevCredentials): Promise<void> {
  await writeFile(join(dataDir, DEV_CREDENTIALS_FILE), `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
}

function parseCredentials(text: string, file: string): DevCredentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; delete it to make new dev credentials`);
  }
  const record = value as Partial<Record<keyof DevCredentials, unknown>>;
  const { rootUser, rootPassword, jwtSecret } = record;
  if (typeof rootUser !== 'string' || typeof rootPassword !== 'string' || typeof jwtSecret !== 'string') {
    throw new Error(`${file} lacks rootUser, rootPassword or jwtSecret; delete it to make new dev credentials`);
  }
  return { rootUser, rootPassword, jwtSecret };
}
