/** The fetch the client calls: the global one, or an injected one (a test double, a polyfill). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The part of a WebSocket the client uses: the browser's `WebSocket` and the `ws` package's both fit.
 * Handlers take `never` so that either library's event types are accepted.
 */
export interface WebSocketLike {
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface KilnClientOptions {
  /** The server's base address, e.g. `http://127.0.0.1:1538` (a trailing slash is ignored). */
  readonly url: string;
  /** A bearer token to start with; `login` and `refresh` replace it. */
  readonly token?: string;
  /** Defaults to `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /** For `subscribe`; defaults to `globalThis.WebSocket` (Node 20 has none: pass the `ws` package's). */
  readonly WebSocket?: WebSocketConstructor;
}

/** A document as the server returns it: the user's fields plus `_key` and `_v`. */
export type KilnDoc = Record<string, unknown> & { readonly _key: string; readonly _v: number };

/** A document to write: fields starting with `_` belong to the server and are refused. */
export type DocInput = Record<string, unknown>;

export interface VersionOption {
  /** Write only if the document's version is this (`If-Match`); 0: only if it does not exist (`If-None-Match: *`). */
  readonly ifVersion?: number;
}

/** What `put` and `patch` resolve to. */
export interface WriteAck {
  readonly key: string;
  readonly _v: number;
  /** True when the server answered once the write was durable (201/200); false for 202 (durability 'none'). */
  readonly durable: boolean;
  /** True when `put` created the document (201, or `_v` 1 under durability 'none'). */
  readonly created: boolean;
}

/** MoltenDB's query language without `collection` (see the server's README). */
export interface KilnQuery {
  readonly keys?: string | readonly string[];
  readonly where?: Readonly<Record<string, unknown>> | readonly Readonly<Record<string, unknown>>[];
  readonly fields?: readonly string[];
  readonly excludedFields?: readonly string[];
  readonly joins?: readonly Readonly<Record<string, { readonly from: string; readonly on: string; readonly fields?: readonly string[] }>>[];
  readonly sort?: readonly { readonly field: string; readonly order?: 'asc' | 'desc' }[];
  readonly order?: 'asc' | 'desc';
  readonly count?: number;
  readonly offset?: number;
}

/** One operation of `transaction`; `ifVersion` is a version guard (0: must not exist). */
export type TransactionOp =
  | { readonly op: 'put'; readonly collection: string; readonly key: string; readonly doc: DocInput; readonly ifVersion?: number }
  | { readonly op: 'patch'; readonly collection: string; readonly key: string; readonly doc: DocInput; readonly ifVersion?: number }
  | { readonly op: 'delete'; readonly collection: string; readonly key: string; readonly ifVersion?: number };

/** Per operation, in order: the version the document has after the transaction (null once deleted). */
export interface TransactionOpResult {
  readonly op: 'put' | 'patch' | 'delete';
  readonly collection: string;
  readonly key: string;
  readonly _v: number | null;
  /** For `delete`: whether there was a document to delete. */
  readonly deleted?: boolean;
}

export interface TransactionResult {
  readonly status: 'ok';
  readonly results: readonly TransactionOpResult[];
  readonly durable: boolean;
}

/** One log entry of a commit, as the change feed sends it. */
export interface ChangeEntry {
  /** The entry's sequence number in the log. */
  readonly seq: number;
  /** INSERT (value: the stored document), DELETE, DROP, SCHEMA, INDEX or CONFIG. */
  readonly cmd: string;
  readonly collection: string;
  readonly key: string;
  readonly value: unknown;
  /** Commit time, unix ms. */
  readonly _t: number;
}

/** One commit (an autocommitted write or a whole transaction), reduced to the entries the feed covers. */
export interface ChangeEvent {
  /** The commit's sequence number: resume after it with `since`. */
  readonly seq: number;
  readonly txId?: string;
  readonly entries: readonly ChangeEntry[];
}

export interface ChangesOptions {
  /** Deliver commits after this sequence number first (history), then live ones. Default: from now on. */
  readonly since?: number;
  /** One collection's changes; without it every collection the token may read. */
  readonly collection?: string;
}

/** A frame of the `/ws` feed. `new_v` is null for a delete; `key` is `*` when the collection was dropped. */
export interface WsChangeEvent {
  readonly event: 'change';
  readonly collection: string;
  readonly key: string;
  readonly new_v: number | null;
}

export interface SubscribeOptions {
  readonly WebSocket?: WebSocketConstructor;
  /** Told once about an error frame, a socket error or a close not asked for by `close()`; the subscription is over after it. */
  readonly onError?: (error: Error) => void;
}

export interface Subscription {
  /** Resolves once the server accepted the token; rejects if it refused it or the socket failed first. */
  readonly ready: Promise<void>;
  close(): void;
}

export interface ListOptions {
  readonly limit?: number;
  readonly offset?: number;
}

export interface SetOptions {
  readonly ttl?: number;
  readonly maxSize?: number;
}

export interface CollectionStatsEntry {
  /** Live documents (0 once the collection's TTL ran out). */
  readonly count: number;
  readonly maxSize?: number;
  /** ISO time the collection expires (collection TTL). */
  readonly expiresAt?: string;
  readonly expired?: true;
}

/** `stats(collection)`: one collection's entry. */
export interface CollectionStatsResponse extends CollectionStatsEntry {
  readonly collection: string;
}

export interface StatsResponse {
  readonly collections: Readonly<Record<string, CollectionStatsEntry>>;
  readonly total: number;
}

export interface DelegateRequest {
  readonly client_id: string;
  readonly scopes: readonly string[];
  readonly ttl_secs: number;
}

export interface DelegateResponse {
  readonly token: string;
  readonly client_id: string;
  readonly scopes: readonly string[];
  readonly jti: string;
}

export interface IndexList {
  readonly collection: string;
  readonly indexes: readonly string[];
}
