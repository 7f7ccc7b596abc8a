import { Type } from 'typebox';
import { CollectionName, DocumentKey } from '../../schemas/names.js';

// Schemas of MoltenDB's routes: they document the routes in OpenAPI and refuse unknown properties and wrong
// types before a handler runs. The query language inside `where` and `joins` is checked by the engine, whose
// errors name the offending path (`where.age.$gtx`).

const Order = Type.Union([Type.Literal('asc'), Type.Literal('desc')]);
const Keys = Type.Union([Type.String(), Type.Array(Type.String())], { description: 'One key (answers the document itself) or several' });
const Where = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Array(Type.Record(Type.String(), Type.Unknown()))], {
  description: 'Filter: {field: value | {$op: value}}, $or/$and, or an array of such clauses (all must match)',
});
const Count = Type.Integer({ minimum: 1, maximum: 1000 });
const Ttl = Type.Integer({ minimum: 1, description: 'Collection TTL in seconds: the collection expires this long after its last write' });
const MaxSize = Type.Integer({ minimum: 1, description: 'Cap on documents: the oldest (by _seq) are evicted past it' });
const Documents = Type.Record(Type.String(), Type.Unknown(), { description: 'key → document' });

export const SetBody = Type.Object(
  {
    collection: CollectionName,
    data: Type.Union([Documents, Type.Array(Type.Unknown())], { description: 'key → document, or an array of documents (UUIDv7 keys are generated)' }),
    ttl: Type.Optional(Ttl),
    maxSize: Type.Optional(MaxSize),
  },
  { additionalProperties: false },
);

export const UpdateBody = Type.Object(
  { collection: CollectionName, data: Type.Record(Type.String(), Type.Unknown(), { description: 'key → patch (top-level merge; _v: expected version)' }) },
  { additionalProperties: false },
);

export const DeleteBody = Type.Object(
  {
    collection: CollectionName,
    keys: Type.Optional(Keys),
    where: Type.Optional(Where),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'With where: at most this many (default 100); alone: delete this many oldest (or newest)' })),
    order: Type.Optional(Order),
    drop: Type.Optional(Type.Boolean({ description: 'true: remove the collection with its settings' })),
  },
  { additionalProperties: false },
);

const SortSpec = Type.Union([
  Type.String(),
  Type.Object({ field: Type.String(), order: Type.Optional(Order) }, { additionalProperties: false }),
]);

export const GetBody = Type.Object(
  {
    collection: CollectionName,
    keys: Type.Optional(Keys),
    where: Type.Optional(Where),
    fields: Type.Optional(Type.Array(Type.String(), { description: 'Only these fields (dot paths); _seq, _createdAt, _modifiedAt, _expiresAt on request' })),
    excludedFields: Type.Optional(Type.Array(Type.String())),
    joins: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: '[{alias: {from, on, fields?}}]' })),
    sort: Type.Optional(Type.Array(SortSpec)),
    order: Type.Optional(Order),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many (default 100)' })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const CollectionParams = Type.Object({ c: CollectionName });
export const DocParams = Type.Object({ c: CollectionName, key: DocumentKey });
export const PageQuery = Type.Object({ limit: Type.Optional(Count), offset: Type.Optional(Type.Integer({ minimum: 0 })) });

export const SchemaBody = Type.Object(
  {
    collection: CollectionName,
    schema: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: 'A JSON schema for later writes; null removes it' })),
    ttl: Type.Optional(Ttl),
    maxSize: Type.Optional(MaxSize),
  },
  { additionalProperties: false },
);

export const StatsBody = Type.Object({ collection: Type.Optional(CollectionName) }, { additionalProperties: false });
