import { Type } from 'typebox';
import { COLLECTION_NAME_PATTERN, DOCUMENT_KEY_PATTERN } from '../limits.js';

/** A collection name as routes take it (the reserved names are refused by `checkCollectionName`). */
export const CollectionName = Type.String({ pattern: COLLECTION_NAME_PATTERN, description: 'Collection name: [A-Za-z0-9_-]{1,64}' });
/** A document key as routes take it (the reserved names are refused by `checkDocumentKey`). */
export const DocumentKey = Type.String({ pattern: DOCUMENT_KEY_PATTERN, description: 'Document key: [A-Za-z0-9_.-]{1,256}' });

/** `{ error, statusCode, detail? }`: every error answer. */
export const ErrorReply = Type.Object(
  { error: Type.String(), statusCode: Type.Integer(), detail: Type.Optional(Type.Unknown()) },
  { description: 'An error: what went wrong, the HTTP status, and (when there is more to say) the offending field or path' },
);
