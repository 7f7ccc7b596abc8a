// `@kilndb/server/client`: runs in browsers and Node; nothing here may import `node:` modules or server code.
export { KilnClient } from './client.js';
export { KilnCollection } from './collection.js';
export { ChangeStream } from './changes.js';
export { KilnHttpError, KilnConflictError, KilnAuthError, KilnNotFoundError } from './errors.js';
export type * from './types.js';
