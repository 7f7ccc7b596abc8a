import { Type } from 'typebox';

// Route schemas: they document the routes in OpenAPI and reject malformed parameters before a handler runs.
// Document bodies are checked by the handlers (they name the offending field), so body schemas stay open.
// Names follow the MoltenDB routes' rules (src/limits.ts); handlers also call checkCollectionName and
// checkDocumentKey, which refuse the reserved names a pattern cannot.
export { CollectionName, DocumentKey } from '../../schemas/names.js';
export { CollectionParams, DocParams } from '../molten/schemas.js';

export const DocumentBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The document: a JSON object whose top-level field names do not start with `_`',
});

export const WriteAck = Type.Object(
  {
    key: Type.String(),
    _v: Type.Integer({ description: 'The version the document has now (also in the ETag header)' }),
  },
  { description: '201 created / 200 replaced once durable; 202 accepted under durability none (not yet durable)' },
);

export const versionHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Write only if the document is at this version: `"<_v>"` (or `*`: if it exists)' })),
  'if-none-match': Type.Optional(Type.String({ description: '`*`: create only (PUT)' })),
});
