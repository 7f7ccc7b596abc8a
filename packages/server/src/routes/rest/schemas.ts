import { Type } from 'typebox';

// Route schemas: they document the routes in OpenAPI and reject malformed parameters before a handler runs.
// Document bodies are checked by the handlers (they name the offending field), so body schemas stay open.

export const collectionParam = Type.String({ description: 'Collection name', pattern: '^[A-Za-z0-9_-]{1,64}$' });
export const keyParam = Type.String({ description: 'Document key', pattern: '^[A-Za-z0-9_.-]{1,256}$' });

export const CollectionParams = Type.Object({ c: collectionParam });
export const DocParams = Type.Object({ c: collectionParam, key: keyParam });

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

export const ErrorReply = Type.Object({
  error: Type.String(),
  statusCode: Type.Integer(),
  detail: Type.Optional(Type.Unknown()),
});

export const versionHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Write only if the document is at this version: `"<_v>"` (or `*`: if it exists)' })),
  'if-none-match': Type.Optional(Type.String({ description: '`*`: create only (PUT)' })),
});
