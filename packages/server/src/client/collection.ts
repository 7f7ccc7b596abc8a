import { isRecord, KilnHttpError } from './errors.js';
import type { Transport } from './http.js';
import type { DocInput, IndexList, KilnDoc, KilnQuery, ListOptions, VersionOption, WriteAck } from './types.js';

/** One collection through the REST routes (`/collections/:c/...`). */
export class KilnCollection {
  constructor(
    private readonly transport: Transport,
    readonly name: string,
  ) {}

  private path(suffix = ''): string {
    return `/collections/${encodeURIComponent(this.name)}${suffix}`;
  }

  private docPath(key: string): string {
    return this.path(`/docs/${encodeURIComponent(key)}`);
  }

  /** The document with `_key` and `_v`, or undefined when there is none. */
  async get(key: string): Promise<KilnDoc | undefined> {
    const reply = await this.transport.request<Record<string, unknown>>('GET', this.docPath(key), { allow: [404] });
    if (reply.status === 404) return undefined;
    // The route answers as MoltenDB's (no `_key`); the version is also in the ETag.
    const version = typeof reply.body._v === 'number' ? reply.body._v : Number(/^"(\d+)"$/.exec(reply.headers.get('etag') ?? '')?.[1]);
    return { ...reply.body, _key: key, _v: version };
  }

  /** Stores the whole document (fields starting with `_` are refused), creating or replacing it. */
  async put(key: string, doc: DocInput, options: VersionOption = {}): Promise<WriteAck> {
    const reply = await this.transport.request<{ key: string; _v: number }>('PUT', this.docPath(key), { body: doc, headers: guardHeaders(options) });
    // Version 1 is a new document (the server's 201; under durability 'none' every write is 202).
    return { key: reply.body.key, _v: reply.body._v, durable: reply.status !== 202, created: reply.body._v === 1 };
  }

  /** Merges `patch` over the document's top-level fields; KilnNotFoundError when it does not exist. */
  async patch(key: string, patch: DocInput, options: VersionOption = {}): Promise<WriteAck> {
    const reply = await this.transport.request<{ key: string; _v: number }>('PATCH', this.docPath(key), { body: patch, headers: guardHeaders(options) });
    return { key: reply.body.key, _v: reply.body._v, durable: reply.status !== 202, created: false };
  }

  /** True when a document was deleted, false when there was none. */
  async delete(key: string, options: VersionOption = {}): Promise<boolean> {
    const reply = await this.transport.request('DELETE', this.docPath(key), { headers: guardHeaders(options), allow: [404] });
    return reply.status !== 404;
  }

  /** The documents matching a MoltenDB query (without `collection`); always an array. */
  async query(query: KilnQuery = {}): Promise<KilnDoc[]> {
    const reply = await this.transport.request<{ documents: KilnDoc[] }>('POST', this.path('/query'), { body: query });
    return reply.body.documents;
  }

  /** A page of the collection (MoltenDB's `GET /collections/:c`); empty when the collection does not exist. */
  async list(options: ListOptions = {}): Promise<KilnDoc[]> {
    const reply = await this.transport.request<unknown>('GET', this.path(), { query: { limit: options.limit, offset: options.offset }, allow: [404] });
    if (reply.status === 404) return [];
    if (Array.isArray(reply.body)) return reply.body as KilnDoc[];
    if (isRecord(reply.body) && Array.isArray(reply.body.documents)) return reply.body.documents as KilnDoc[];
    throw new KilnHttpError(reply.status, reply.body, `GET ${this.path()}: the server sent no list of documents`);
  }

  /** Maintains an index on `field` (a dot path); admin only. */
  async createIndex(field: string): Promise<void> {
    await this.transport.request('POST', this.path('/indexes'), { body: { field } });
  }

  /** Stops maintaining the index on `field`; false when there was none. Admin only. */
  async dropIndex(field: string): Promise<boolean> {
    const reply = await this.transport.request('DELETE', this.path(`/indexes/${encodeURIComponent(field)}`), { allow: [404] });
    return reply.status !== 404;
  }

  /** The indexed fields. */
  async indexes(): Promise<string[]> {
    const reply = await this.transport.request<IndexList>('GET', this.path('/indexes'));
    return [...reply.body.indexes];
  }
}

function guardHeaders(options: VersionOption): Record<string, string> {
  if (options.ifVersion === undefined) return {};
  return options.ifVersion === 0 ? { 'if-none-match': '*' } : { 'if-match': `"${options.ifVersion}"` };
}
