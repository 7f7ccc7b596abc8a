import { rootToken, startTestServer } from '../../../test-support/server.js';

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** A request helper bound to a server and a token: JSON in, parsed JSON (or text) out. */
export function api(url: string, token?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text !== '' && response.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, body: parsed };
  };
}

/** A test server with the rate limit out of the way, logged in as root. */
export async function startRestServer(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<{ server: TestServer; root: ReturnType<typeof api>; token: string }> {
  const server = await startTestServer({ rateLimitMax: 100_000, ...overrides });
  const token = await rootToken(server.url);
  return { server, root: api(server.url, token), token };
}

/** A delegated token with `scopes`, minted by root. */
export async function scopedToken(server: TestServer, rootTokenValue: string, scopes: string[]): Promise<string> {
  const answer = await api(server.url, rootTokenValue)('POST', '/auth/delegate', { client_id: 'tester', scopes, ttl_secs: 600 });
  const token = (answer.body as { token?: unknown }).token;
  if (answer.status !== 200 || typeof token !== 'string') throw new Error(`delegate failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return token;
}
