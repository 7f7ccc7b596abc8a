/** What a test sees of an HTTP answer: status, headers and the body parsed as JSON (or text when it is not JSON). */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** One request against a test server; `body` is sent as JSON unless it is already a string. */
export async function call(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** A token for `scopes`, delegated by root (POST /auth/delegate). */
export async function delegatedToken(url: string, rootToken: string, scopes: string[]): Promise<string> {
  const answer = await call(url, 'POST', '/auth/delegate', { token: rootToken, body: { client_id: 'test-client', scopes, ttl_secs: 600 } });
  const token = (answer.body as { token?: unknown }).token;
  if (answer.status !== 200 || typeof token !== 'string') throw new Error(`delegate failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return token;
}

/** A call bound to one server and (by default) one token. */
export type BoundCall = (method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }) => Promise<TestResponse>;

/** `call` bound to `url`, sending `token` unless a call passes its own (or null for none). */
export function bindCall(url: string, token: string): BoundCall {
  return (method, path, options = {}) => {
    const { token: own, ...rest } = options;
    const chosen = own === null ? undefined : (own ?? token);
    return call(url, method, path, { ...rest, ...(chosen === undefined ? {} : { token: chosen }) });
  };
}
