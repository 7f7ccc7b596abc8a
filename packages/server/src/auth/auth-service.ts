import type { ServerConfig } from '../config.js';
import type { Principal } from './principal.js';

/** Signs, verifies and revokes tokens; checks the root user's password. (Stub: the auth work fills it in.) */
export class AuthService {
  private constructor(readonly config: ServerConfig) {}

  static open(config: ServerConfig): Promise<AuthService> {
    return Promise.resolve(new AuthService(config));
  }

  /** Verifies a bearer token: signature, expiry, revocation. Throws HttpError 401 when it does not hold. */
  verify(_token: string): Promise<Principal> {
    return Promise.reject(new Error('not implemented'));
  }
}
