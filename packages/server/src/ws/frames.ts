import type { RawData } from 'ws';

/** A frame that refuses a socket before it closes: MoltenDB's `{error, detail}` with its error codes. */
export interface ErrorFrame {
  readonly error: 'invalid_message' | 'invalid_action' | 'missing_token' | 'invalid_token' | 'token_revoked' | 'token_expired' | 'auth_timeout';
  readonly detail: string;
}

const EXPECTED = 'Expected {"action":"AUTH","token":"<jwt>"}';

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** The token of a first frame `{action:"AUTH", token}`, or the error frame saying what is wrong with it. */
export function parseAuthFrame(data: RawData, isBinary: boolean): { token: string } | ErrorFrame {
  if (isBinary) return { error: 'invalid_message', detail: `The first message must be a text frame. ${EXPECTED}` };
  let message: unknown;
  try {
    message = JSON.parse(text(data));
  } catch {
    return { error: 'invalid_message', detail: `Could not parse the first message as JSON. ${EXPECTED}` };
  }
  if (typeof message !== 'object' || message === null || (message as { action?: unknown }).action !== 'AUTH') {
    return { error: 'invalid_action', detail: 'The first message must have "action":"AUTH"; use the HTTP routes to read and write.' };
  }
  const token = (message as { token?: unknown }).token;
  if (typeof token !== 'string' || token === '') {
    return { error: 'missing_token', detail: `The AUTH message has no "token" string. ${EXPECTED}` };
  }
  return { token };
}
