import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../http-error.js';
import { CheckGate, PasswordCheckBusyError, PasswordHash } from './password.js';
import type { Principal } from './principal.js';
import { RevocationStore } from './revocations.js';
import { ADMIN_SCOPE } from './scopes.js';
import { TokenSigner, type IssuedToken } from './tokens.js';

/** Longest lifetime a delegated token may ask for: 30 days. */
export const MAX_DELEGATE_TTL_SEC = 30 * 86_400;
/** MoltenDB's default when `ttl_secs` is left out: one hour. */
export const DEFAULT_DELEGATE_TTL_SEC = 3600;

/** How many verified tokens are remembered, so a client's repeated requests skip the signature check. */
const VERIFIED_CACHE_SIZE = 4096;

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Signs, verifies and revokes tokens; checks the root user's password. */
export class AuthService {
  /** Two checks at a time leave libuv threads for the database's file I/O; 64 may wait. */
  private readonly checks = new CheckGate(2, 64);
  private readonly verified = new Map<string, Principal>();

  private constructor(
    readonly config: ServerConfig,
    private readonly rootUser: Buffer,
    private readonly rootPassword: PasswordHash,
    private readonly signer: TokenSigner,
    private readonly revocations: RevocationStore,
  ) {}

  /** Hashes the root password and loads the revocation file; throws RevocationFileError when that file is not to be trusted. */
  static async open(config: ServerConfig): Promise<AuthService> {
    const [rootPassword, revocations] = await Promise.all([
      PasswordHash.of(config.rootPassword),
      RevocationStore.open(config.dataDir, config.jwtSecret),
    ]);
    return new AuthService(config, digest(config.rootUser), rootPassword, new TokenSigner(config.jwtSecret), revocations);
  }

  /** A root token (`*:*:*`) for the right user name and password; undefined otherwise; HttpError 503 when too busy to check. */
  async login(username: string, password: string): Promise<IssuedToken | undefined> {
    // Both checks always run, so a wrong user name takes as long as a wrong password.
    const userMatches = timingSafeEqual(digest(username), this.rootUser);
    let passwordMatches: boolean;
    try {
      passwordMatches = await this.checks.run(() => this.rootPassword.matches(password));
    } catch (error) {
      if (error instanceof PasswordCheckBusyError) throw new HttpError(503, 'Too many logins in progress; retry shortly');
      throw error;
    }
    if (!userMatches || !passwordMatches) return undefined;
    return this.signer.sign(username, [ADMIN_SCOPE], this.config.rootTokenTtlSec);
  }

  /**
   * Verifies a bearer token: signature, expiry, revocation. Throws HttpError 401 when it does not hold. A
   * token whose signature checked out is remembered by its exact text (a signature check costs more than a
   * whole request to a simple route); expiry and revocation are checked on every call all the same.
   */
  async verify(token: string): Promise<Principal> {
    const known = this.verifiedBefore(token);
    if (known !== undefined) return known;
    const principal = await this.signer.verify(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      // Map order is insertion order: drop the oldest entry.
      for (const oldest of this.verified.keys()) {
        this.verified.delete(oldest);
        break;
      }
    }
    this.verified.set(token, principal);
    return this.stillValid(token, principal);
  }

  /** The principal of a token verified before, checked for expiry and revocation now; undefined when not remembered. */
  verifiedBefore(token: string): Principal | undefined {
    const principal = this.verified.get(token);
    return principal === undefined ? undefined : this.stillValid(token, principal);
  }

  private stillValid(token: string, principal: Principal): Principal {
    const status = this.tokenStatus(principal);
    if (status === 'valid') return principal;
    this.verified.delete(token);
    throw new HttpError(401, status === 'revoked' ? 'Token has been revoked' : 'Token has expired');
  }

  /** Whether an already verified token has since been revoked or has expired (the WebSocket feed re-checks with it). */
  tokenStatus(principal: Principal): 'valid' | 'expired' | 'revoked' {
    if (this.revocations.has(principal.jti)) return 'revoked';
    // As jose: a token is expired once the current second reaches `exp`.
    return principal.exp > nowSec() ? 'valid' : 'expired';
  }

  /** A token for `sub` with exactly `scopes` (validated by the caller). */
  issue(sub: string, scopes: readonly string[], ttlSec: number): Promise<IssuedToken> {
    return this.signer.sign(sub, scopes, ttlSec);
  }

  /**
   * Revokes a token id. Its own expiry is unknown here (only the id is given), so the entry is kept as long as
   * any token this server signs can live.
   */
  revoke(jti: string, exp?: number): Promise<void> {
    const longest = nowSec() + Math.max(MAX_DELEGATE_TTL_SEC, this.config.rootTokenTtlSec);
    return this.revocations.revoke(jti, exp ?? longest);
  }

  /**
   * Trades a scoped token for a new one with the same subject and scopes, living `ttlSec`; the old one is revoked
   * (durably) before the new one is handed out. Admin tokens are refused, as MoltenDB does.
   */
  async refresh(principal: Principal, ttlSec: number): Promise<IssuedToken> {
    if (principal.scopes.includes(ADMIN_SCOPE)) {
      throw new HttpError(403, 'Admin tokens (*:*:*) cannot be refreshed; log in again or delegate a new token');
    }
    // Checked again here, not only in the request hook: of two refreshes of one token in flight, the second
    // finds it revoked (revoke marks it before it awaits the file), so a token never forks into two.
    if (this.revocations.has(principal.jti)) throw new HttpError(401, 'Token has been revoked');
    await this.revocations.revoke(principal.jti, principal.exp);
    return this.signer.sign(principal.sub, principal.scopes, ttlSec);
  }
}
