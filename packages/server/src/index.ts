export { startServer, type KilnServer } from './server.js';
export { buildApp } from './app.js';
export {
  resolveConfig,
  serverDefaults,
  DEFAULT_PORT,
  ConfigError,
  type ServerConfig,
  type ServerConfigInput,
} from './config.js';
export { HttpError, type ErrorBody } from './http-error.js';
export { RevocationFileError } from './auth/revocations.js';
export type { Principal, ScopeAction } from './auth/principal.js';
