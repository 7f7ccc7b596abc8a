import type { Database } from '@kilndb/doc-engine';
import type { FastifyRequest } from 'fastify';
import { authorize } from '../../auth/guard.js';
import { HttpError } from '../../http-error.js';
import { checkCollectionName, checkDocumentKey } from '../../limits.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * MoltenDB's `extends` directive on `/set`: `{"extends": {"ram": "memory.mem4"}}` embeds the document `mem4`
 * of `memory` under `ram` at insert time and drops `extends`. A reference that finds nothing adds nothing (as in
 * MoltenDB). Unlike MoltenDB, the token must be able to read each referenced document: otherwise a write could
 * copy a document the token may not read into one it may.
 */
export function resolveExtends(request: FastifyRequest, db: Database, doc: unknown): unknown {
  if (!isRecord(doc) || !Object.hasOwn(doc, 'extends')) return doc;
  const { extends: references, ...rest } = doc;
  if (!isRecord(references)) throw new HttpError(400, '"extends" must map aliases to "collection.key" references');
  const resolved: Record<string, unknown> = { ...rest };
  for (const [alias, reference] of Object.entries(references)) {
    const dot = typeof reference === 'string' ? reference.indexOf('.') : -1;
    if (typeof reference !== 'string' || dot < 1) {
      throw new HttpError(400, `extends.${alias} must be a "collection.key" reference`, { alias });
    }
    // Split at the first dot: keys may contain dots, collection names may not.
    const collection = checkCollectionName(reference.slice(0, dot));
    const key = checkDocumentKey(reference.slice(dot + 1));
    authorize(request, 'read', collection, key);
    const target = db.collection(collection).get(key);
    if (target !== undefined) resolved[alias] = target;
  }
  return resolved;
}
