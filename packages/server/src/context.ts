import type { Database } from '@kilndb/doc-engine';
import type { AuthService } from './auth/auth-service.js';
import type { ServerConfig } from './config.js';

/** What every plugin is registered with: the one database, the resolved config, the token service. */
export interface ServerContext {
  readonly db: Database;
  readonly config: ServerConfig;
  readonly auth: AuthService;
}
