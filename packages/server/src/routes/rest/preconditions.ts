import type { Collection } from '@kilndb/doc-engine';
import { ConflictError } from '@kilndb/doc-engine';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../../config.js';
import { HttpError } from '../../http-error.js';

/** `"<_v>"`: the strong entity tag of a document version. */
export function etag(version: number): string {
  return `"${version}"`;
}

/**
 * The success status of a write. Writes resolve once durable under 'fsync' and 'flush', so those answer 201
 * (created) or 200; under 'none' the write is only accepted (it reaches the disk within ~50 ms): 202.
 */
export function writeStatus(config: ServerConfig, created: false): 200 | 202;
export function writeStatus(config: ServerConfig, created: boolean): 200 | 201 | 202;
export function writeStatus(config: ServerConfig, created: boolean): 200 | 201 | 202 {
  if (config.durability === 'none') return 202;
  return created ? 201 : 200;
}

/** The `expectedVersion` a conditional request asks for (0: must not exist), or undefined for an unconditional one. */
export function expectedVersionOf(request: FastifyRequest, collection: Collection, key: string, allowIfNoneMatch: boolean): number | undefined {
  const ifMatch = request.headers['if-match'];
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw new HttpError(400, 'Send If-Match or If-None-Match, not both');
  if (ifNoneMatch !== undefined) {
    if (!allowIfNoneMatch) throw new HttpError(400, `If-None-Match is only accepted on PUT (as *), not on ${request.method}`);
    if (ifNoneMatch.trim() !== '*') throw new HttpError(400, 'If-None-Match accepts only * (create only)', { header: 'if-none-match', value: ifNoneMatch });
    return 0;
  }
  if (ifMatch === undefined) return undefined;
  // If-Match compares strongly (RFC 9110, 13.1.1): a weak tag never matches, so it only counts as well formed.
  const wanted = parseIfMatch(ifMatch).filter((tag): tag is number | '*' => tag !== WEAK);
  if (wanted.length === 1 && wanted[0] !== '*') return wanted[0];
  // `*` or a list: match against the current version, which then guards the write, so a write that
  // slips in between still fails with 412.
  const current = collection.get(key)?._v;
  if (current === undefined || (!wanted.includes('*') && !wanted.includes(current))) throw preconditionFailed(collection.name, key, current ?? 0);
  return current;
}

/** A weak entity tag (`W/"…"`) in If-Match: well formed, never matching. */
const WEAK = 'weak';

function parseIfMatch(header: string): (number | '*' | typeof WEAK)[] {
  const parts = header.split(',').map((part) => part.trim());
  return parts.map((part) => {
    if (part === '*') return '*';
    if (/^W\/"[\x21\x23-\x7e]*"$/.test(part)) return WEAK;
    const match = /^"([1-9][0-9]{0,15})"$/.exec(part);
    if (match?.[1] === undefined) {
      throw new HttpError(400, `If-Match must be * or quoted document versions like "3", got ${JSON.stringify(part)}`, { header: 'if-match', value: header });
    }
    return Number(match[1]);
  });
}

/** 412 with the document's current version (null when it does not exist). */
export function preconditionFailed(collection: string, key: string, current: number): HttpError {
  return new HttpError(412, `Precondition failed: ${collection}/${key} is ${current === 0 ? 'absent' : `at version ${current}`}`, {
    collection,
    key,
    current: current === 0 ? null : current,
  });
}

/** Runs a conditional write, answering a failed version guard as 412. */
export async function guarded<T>(collection: string, key: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ConflictError && error.key === key && error.actualVersion !== undefined) {
      throw preconditionFailed(collection, key, error.actualVersion);
    }
    throw error;
  }
}

/** Refuses a body that is not a JSON object, or that sets a field the server keeps (names starting with `_`). */
export function checkDocumentBody(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, `${what} must be a JSON object`);
  const record = body as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (field.startsWith('_')) {
      throw new HttpError(400, `Field '${field}' is reserved: names starting with _ belong to the server (use If-Match for versions)`, { field });
    }
  }
  return record;
}

/** Sets the ETag of a document version on the reply. */
export function withEtag(reply: FastifyReply, version: number): FastifyReply {
  return reply.header('etag', etag(version));
}
