import { ChangeStream } from './changes.js';
import { KilnCollection } from './collection.js';
import { Transport } from './http.js';
import { openSubscription } from './subscribe.js';
import type {
  ChangesOptions,
  CollectionStatsResponse,
  DelegateRequest,
  DelegateResponse,
  KilnClientOptions,
  SetOptions,
  StatsResponse,
  SubscribeOptions,
  Subscription,
  TransactionOp,
  TransactionResult,
  WebSocketConstructor,
  WsChangeEvent,
} from './types.js';

/**
 * A KilnDB server client: fetch-based, no dependencies, for Node and browsers. Error statuses are thrown as
 * KilnHttpError subclasses (KilnConflictError, KilnAuthError, KilnNotFoundError).
 */
export class KilnClient {
  private readonly transport: Transport;
  private readonly WebSocket: WebSocketConstructor | undefined;

  constructor(options: KilnClientOptions) {
    this.transport = new Transport(options.url, options.token, options.fetch);
    this.WebSocket = options.WebSocket;
  }

  /** The base address requests go to. */
  get url(): string {
    return this.transport.baseUrl;
  }

  /** The bearer token sent with every request (undefined before `login`). */
  get token(): string | undefined {
    return this.transport.token;
  }

  set token(token: string | undefined) {
    this.transport.token = token;
  }

  /** `POST /login`; keeps the token for later requests and returns it. */
  async login(username: string, password: string): Promise<string> {
    const reply = await this.transport.request<{ token: string }>('POST', '/login', { body: { username, password } });
    this.transport.token = reply.body.token;
    return reply.body.token;
  }

  collection(name: string): KilnCollection {
    return new KilnCollection(this.transport, name);
  }

  // MoltenDB's routes, bodies as MoltenDB takes them.

  /** `POST /set`: `data` is key → document, or an array (generated keys). */
  async set(collection: string, data: Readonly<Record<string, unknown>> | readonly unknown[], options: SetOptions = {}): Promise<{ status: 'ok'; count: number; ids?: string[] }> {
    return (await this.transport.request<{ status: 'ok'; count: number; ids?: string[] }>('POST', '/set', { body: { collection, data, ...options } })).body;
  }

  /** `POST /update`: top-level merge per key; `_v` in a patch is a version guard. */
  async update(collection: string, data: Readonly<Record<string, unknown>>): Promise<{ status: 'ok'; updated: number }> {
    return (await this.transport.request<{ status: 'ok'; updated: number }>('POST', '/update', { body: { collection, data } })).body;
  }

  /** `POST /get` with a MoltenDB query body (including `collection`); KilnNotFoundError when nothing matched. */
  async get(body: Readonly<Record<string, unknown>> & { readonly collection: string }): Promise<unknown> {
    return (await this.transport.request<unknown>('POST', '/get', { body })).body;
  }

  /** `POST /delete` with a MoltenDB body (`keys`, `where`, `count`, `drop`). */
  async remove(body: Readonly<Record<string, unknown>> & { readonly collection: string }): Promise<{ status: 'ok'; deleted?: number; dropped?: boolean }> {
    return (await this.transport.request<{ status: 'ok'; deleted?: number; dropped?: boolean }>('POST', '/delete', { body })).body;
  }

  /** `POST /transactions`: all or nothing; KilnConflictError (409) names the key that conflicted. */
  async transaction(operations: readonly TransactionOp[]): Promise<TransactionResult> {
    const reply = await this.transport.request<Omit<TransactionResult, 'durable'>>('POST', '/transactions', { body: { operations } });
    return { ...reply.body, durable: reply.status !== 202 };
  }

  /** The names of the collections (from `GET /stats`). */
  async collections(): Promise<string[]> {
    return Object.keys((await this.stats()).collections);
  }

  /** `GET /stats`: every collection the token may read; with a name, `POST /stats {collection}`: that one. */
  async stats(): Promise<StatsResponse>;
  async stats(collection: string): Promise<CollectionStatsResponse>;
  async stats(collection?: string): Promise<StatsResponse | CollectionStatsResponse> {
    const reply =
      collection === undefined
        ? await this.transport.request<StatsResponse>('GET', '/stats')
        : await this.transport.request<CollectionStatsResponse>('POST', '/stats', { body: { collection } });
    return reply.body;
  }

  /** `GET /system/health` (needs no token). */
  async health(): Promise<Record<string, unknown>> {
    return (await this.transport.request<Record<string, unknown>>('GET', '/system/health')).body;
  }

  /** `GET /system/storage` (admin): log, snapshot, segment and compaction figures. */
  async storage(): Promise<Record<string, unknown>> {
    return (await this.transport.request<Record<string, unknown>>('GET', '/system/storage')).body;
  }

  /** `POST /snapshot` (admin). */
  async snapshot(): Promise<Record<string, unknown>> {
    return (await this.transport.request<Record<string, unknown>>('POST', '/snapshot')).body;
  }

  /** `POST /system/compact` (admin). */
  async compact(): Promise<Record<string, unknown>> {
    return (await this.transport.request<Record<string, unknown>>('POST', '/system/compact')).body;
  }

  /** `POST /schema` (admin): a JSON schema (undefined removes it), and/or a collection TTL and cap. */
  async setSchema(collection: string, schema?: object, options: SetOptions = {}): Promise<Record<string, unknown>> {
    const body = { collection, ...(schema === undefined ? {} : { schema }), ...options };
    return (await this.transport.request<Record<string, unknown>>('POST', '/schema', { body })).body;
  }

  /** `POST /auth/delegate` (admin): a scoped token for another client. */
  async delegate(request: DelegateRequest): Promise<DelegateResponse> {
    return (await this.transport.request<DelegateResponse>('POST', '/auth/delegate', { body: request })).body;
  }

  /** `DELETE /auth/tokens/:jti` (admin); `revoked` is the jti. */
  async revoke(jti: string): Promise<{ revoked: string; message: string }> {
    return (await this.transport.request<{ revoked: string; message: string }>('DELETE', `/auth/tokens/${encodeURIComponent(jti)}`)).body;
  }

  /** `POST /auth/refresh`: trades the current token for a new one (the old one is revoked) and keeps it. */
  async refresh(): Promise<string> {
    const reply = await this.transport.request<{ token: string }>('POST', '/auth/refresh');
    this.transport.token = reply.body.token;
    return reply.body.token;
  }

  /** The change feed (SSE): history after `since`, then live commits. Break out of the loop to stop it. */
  changes(options: ChangesOptions = {}): ChangeStream {
    return new ChangeStream(this.transport, options);
  }

  /** The `/ws` feed: one call of `onEvent` per written key, for the collections the token may read. */
  subscribe(onEvent: (event: WsChangeEvent) => void, options: SubscribeOptions = {}): Subscription {
    const WebSocket = options.WebSocket ?? this.WebSocket;
    return openSubscription(this.transport.baseUrl, this.transport.token, onEvent, WebSocket === undefined ? options : { ...options, WebSocket });
  }
}
