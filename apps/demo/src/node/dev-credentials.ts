import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
 * The credentials stored in `dataDir`, or new random ones written there (mode 0600) when there are none.
 * A fresh password per directory means a console left listening on a network address has no well-known login.
 */
export async function loadOrCreateDevCredentials(dataDir: string): Promise<{ credentials: DevCredentials; created: boolean }> {
  const file = join(dataDir, DEV_CREDENTIALS_FILE);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) return { credentials: parseCredentials(text, file), created: false };
  const credentials: DevCredentials = {
    rootUser: 'admin',
    rootPassword: randomBytes(9).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return { credentials, created: true };
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
