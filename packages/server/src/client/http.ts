import { httpErrorFor, KilnHttpError } from './errors.js';
import type { FetchLike } from './types.js';

export interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses answered as a value instead of thrown (e.g. 404 for a get that returns undefined). */
  readonly allow?: readonly number[];
  readonly signal?: AbortSignal;
}

export interface Reply<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Sends requests to one server with the current token and turns error statuses into typed errors. */
export class Transport {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly fetchFn: FetchLike;

  constructor(url: string, token: string | undefined, fetchFn: FetchLike | undefined) {
    this.baseUrl = url.replace(/\/+$/, '');
    this.token = token;
    const fallback = globalThis.fetch as FetchLike | undefined;
    if (fetchFn === undefined && fallback === undefined) throw new TypeError('KilnClient: no fetch available; pass options.fetch');
    // Bound so a browser's fetch is not called with the client as `this`.
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query?: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, String(value));
    const search = params.toString();
    return `${this.baseUrl}${path}${search === '' ? '' : `?${search}`}`;
  }

  headers(extra?: Readonly<Record<string, string>>): Record<string, string> {
    return { ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }), ...extra };
  }

  /** The raw response (for streams); error statuses are thrown as typed errors. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const init: RequestInit = {
      method,
      headers: this.headers({ ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers }),
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const response = await this.fetchFn(this.url(path, options.query), init);
    if (response.ok || options.allow?.includes(response.status) === true) return response;
    throw httpErrorFor(response.status, await readBody(response));
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const response = await this.send(method, path, options);
    return { status: response.status, headers: response.headers, body: (await readBody(response)) as T };
  }
}

/** Parsed JSON when the response says JSON, else the text; undefined for an empty body. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  if (response.headers.get('content-type')?.includes('json') === true) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KilnHttpError(response.status, text, `HTTP ${response.status}: the server sent invalid JSON`);
    }
  }
  return text;
}
