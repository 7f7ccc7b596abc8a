import { errors, jwtVerify, SignJWT } from 'jose';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { HttpError } from '../http-error.js';
import type { Principal } from './principal.js';

/** A freshly signed token and the claims it carries. */
export interface IssuedToken {
  readonly token: string;
  readonly jti: string;
  readonly exp: number;
}

/** Signs and checks HS256 JWTs with one secret; nothing else (no `none`, no other algorithm) is accepted. */
export class TokenSigner {
  // A KeyObject, not bytes: jose then skips importing the key on every call (about a third of a verify).
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async sign(sub: string, scopes: readonly string[], ttlSec: number): Promise<IssuedToken> {
    const jti = randomUUID();
    const exp = Math.floor(Date.now() / 1000) + ttlSec;
    const token = await new SignJWT({ scopes: [...scopes] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, jti, exp };
  }

  /** The token's principal; HttpError 401 naming why when the signature, algorithm, expiry or claims fail. */
  async verify(token: string): Promise<Principal> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch (error) {
      throw new HttpError(401, rejectionReason(error));
    }
    const { sub, jti, exp, scopes } = payload;
    if (typeof sub !== 'string' || sub === '') throw new HttpError(401, 'Token has no subject (sub)');
    // Every token this server signs has a jti; one without it could never be revoked, so it is refused.
    if (typeof jti !== 'string' || jti === '') throw new HttpError(401, 'Token has no token id (jti)');
    if (typeof exp !== 'number') throw new HttpError(401, 'Token has no expiry (exp)');
    if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
      throw new HttpError(401, 'Token scopes are not a list of strings');
    }
    return { sub, jti, exp, scopes };
  }
}

function rejectionReason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Token has expired';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'Token algorithm is not allowed (HS256 only)';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Token signature is invalid';
  if (error instanceof errors.JWTClaimValidationFailed) return `Token claim is invalid: ${error.claim}`;
  return 'Token is malformed';
}
