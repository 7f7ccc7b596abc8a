import { isRecord } from './errors.js';
import type { SubscribeOptions, Subscription, WebSocketConstructor, WsChangeEvent } from './types.js';

/**
 * Opens the `/ws` feed: sends `{action:'AUTH', token}` first, then hands every `change` frame to `onEvent`.
 * An `{error}` frame (a refused token), a socket error or a close the caller did not ask for rejects
 * `ready` (if still pending) and goes to `onError` once.
 */
export function openSubscription(
  baseUrl: string,
  token: string | undefined,
  onEvent: (event: WsChangeEvent) => void,
  options: SubscribeOptions,
): Subscription {
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Socket === undefined) throw new TypeError('KilnClient.subscribe: no WebSocket available; pass options.WebSocket (e.g. the ws package)');
  if (token === undefined) throw new TypeError('KilnClient.subscribe: log in first; the feed needs a token');
  const socket = new Socket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // `ready` may be ignored by the caller; its rejection is reported through onError instead.
  ready.catch(() => undefined);
  let closed = false;
  const fail = (error: Error): void => {
    if (closed) return;
    closed = true;
    settle?.reject(error);
    settle = undefined;
    options.onError?.(error);
    socket.close();
  };
  socket.onopen = () => {
    socket.send(JSON.stringify({ action: 'AUTH', token }));
  };
  socket.onmessage = (event: { data: unknown }) => {
    let frame: unknown;
    try {
      frame = JSON.parse(String(event.data));
    } catch {
      fail(new TypeError('The /ws feed sent a frame that is not JSON'));
      return;
    }
    if (!isRecord(frame)) return;
    if (typeof frame.error === 'string') fail(new Error(`/ws: ${frame.error}${typeof frame.detail === 'string' ? `: ${frame.detail}` : ''}`));
    else if (frame.status === 'authenticated') {
      settle?.resolve();
      settle = undefined;
    } else if (frame.event === 'change') onEvent(frame as unknown as WsChangeEvent);
  };
  socket.onerror = () => {
    fail(new Error('/ws: the connection failed'));
  };
  // A close the caller did not ask for (server shutdown, revoked token, network) is reported, so a
  // consumer can resubscribe.
  socket.onclose = (event: { code?: number; reason?: string }) => {
    const reason = event.reason === undefined || event.reason === '' ? '' : `: ${event.reason}`;
    const why = event.code === undefined ? '' : ` (code ${event.code}${reason})`;
    fail(new Error(settle === undefined ? `/ws: the connection closed${why}` : `/ws: the connection closed before the token was accepted${why}`));
  };
  return {
    ready,
    close() {
      if (closed) return;
      closed = true;
      settle?.reject(new Error('/ws: closed'));
      settle = undefined;
      socket.close();
    },
  };
}
