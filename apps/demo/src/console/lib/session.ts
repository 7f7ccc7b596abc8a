import { KilnClient } from '@kilndb/server/client';

const TOKEN_KEY = 'kilndb-studio-token';
const USER_KEY = 'kilndb-studio-user';

/** Who is logged in and the client that speaks for them. */
export interface Session {
  readonly user: string;
  readonly client: KilnClient;
}

/** The server is the page's own origin: the console is served by the server it manages. */
export function serverOrigin(): string {
  return window.location.origin;
}

/** The session kept in this tab (sessionStorage: closing the tab logs out). */
export function restoreSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const user = sessionStorage.getItem(USER_KEY);
  if (token === null || user === null) return undefined;
  return { user, client: new KilnClient({ url: serverOrigin(), token }) };
}

export async function logIn(user: string, password: string): Promise<Session> {
  const client = new KilnClient({ url: serverOrigin() });
  const token = await client.login(user, password);
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, user);
  return { user, client };
}

export function forgetSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}
