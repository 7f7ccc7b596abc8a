/** Why a MoltenDB document was not imported. */
export type RejectedDocumentReason = 'not-an-object' | 'empty-key' | 'invalid-collection-name';

export interface RejectedDocument {
  readonly collection: string;
  readonly key: string;
  readonly reason: RejectedDocumentReason;
}

/** KilnDB's limit on collection names (see documents.ts of the engine). */
const MAX_COLLECTION_NAME_LENGTH = 256;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function collectionNameProblem(name: string): RejectedDocumentReason | undefined {
  return name.length === 0 || name.length > MAX_COLLECTION_NAME_LENGTH ? 'invalid-collection-name' : undefined;
}

/**
 * A MoltenDB document as KilnDB fields: top-level fields whose names start with `_` are left out. Those are
 * MoltenDB's system fields (`_v`, `_key`, `_seq`, `_createdAt`, `_modifiedAt`, `_expiresAt`), which KilnDB
 * keeps itself and refuses from callers; a user field named that way is left out too and shows in
 * `droppedFields`. Nested fields are kept whatever their names.
 */
export function toKilnFields(
  collection: string,
  key: string,
  document: unknown,
  droppedFields: Map<string, number>,
): { readonly fields: Record<string, unknown> } | { readonly rejected: RejectedDocument } {
  const collectionProblem = collectionNameProblem(collection);
  if (collectionProblem !== undefined) return { rejected: { collection, key, reason: collectionProblem } };
  if (key.length === 0) return { rejected: { collection, key, reason: 'empty-key' } };
  if (!isPlainObject(document)) return { rejected: { collection, key, reason: 'not-an-object' } };
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(document)) {
    if (name.startsWith('_')) {
      droppedFields.set(name, (droppedFields.get(name) ?? 0) + 1);
      continue;
    }
    fields[name] = document[name];
  }
  return { fields };
}
