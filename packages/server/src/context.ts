import type { Database } from '@kilndb/doc-engine';
import type { AuthService } from './auth/auth-service.js';
import type { ServerConfig } from './config.js';
import type { WriteTurn } from './write-turn.js';

/** What every plugin is registered with: the one database, the resolved config, the token service, the write turn. */
export interface ServerContext {
  readonly db: Database;
  readonly config: ServerConfig;
  readonly auth: AuthService;
  /** Starts the writes of one event-loop turn together (see WriteTurn). */
  readonly writes: WriteTurn;
}
