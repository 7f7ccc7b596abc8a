import { Type } from 'typebox';
import { MAX_DELEGATE_TTL_SEC } from './auth-service.js';

/** Route schemas of the token routes (OpenAPI and validation); scope syntax is checked by `scopeSyntaxError`. */

const ErrorReply = Type.Object(
  { error: Type.String(), statusCode: Type.Integer(), detail: Type.Optional(Type.Unknown()) },
  { description: 'What went wrong and the HTTP status' },
);
export const authErrors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 429: ErrorReply, 503: ErrorReply };

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 1024 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
export const LoginReply = Type.Object({ token: Type.String({ description: 'HS256 JWT with sub, exp, scopes ["*:*:*"], jti' }) });

const Scopes = Type.Array(Type.String({ maxLength: 400, description: 'action:collection:key, e.g. read:laptops:*, write:laptops:store_A_*' }), {
  minItems: 1,
  maxItems: 256,
});

export const DelegateBody = Type.Object({
  client_id: Type.String({ minLength: 1, maxLength: 256, description: 'Becomes the token subject (sub)' }),
  scopes: Scopes,
  ttl_secs: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DELEGATE_TTL_SEC, description: 'Lifetime in seconds; 3600 when left out' })),
});
export const TokenReply = Type.Object({
  token: Type.String(),
  client_id: Type.String(),
  scopes: Type.Array(Type.String()),
  jti: Type.String({ description: 'The id DELETE /auth/tokens/:jti revokes' }),
});

export const RevokeParams = Type.Object({ jti: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }) });
export const RevokeReply = Type.Object({ revoked: Type.String({ description: 'The revoked token id' }), message: Type.String() });
