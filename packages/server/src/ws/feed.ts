import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { AuthService } from '../auth/auth-service.js';
import type { Principal } from '../auth/principal.js';
import type { ServerContext } from '../context.js';
import { errorBody, HttpError } from '../http-error.js';
import { changeFrames, maySee, type ChangeFrame } from './changes.js';
import { parseAuthFrame, type ErrorFrame } from './frames.js';

/** How long a new socket has to send its AUTH frame. */
export const AUTH_TIMEOUT_MS = 10_000;
/**
 * Sockets one client address may hold open before authenticating. Each costs memory and a timer for up to
 * AUTH_TIMEOUT_MS without proving anything, and the feed is not rate limited: this bounds what one address
 * can hold that way. Authenticated sockets do not count.
 */
export const MAX_PENDING_PER_ADDRESS = 32;
/** How often open sockets' tokens are checked for revocation and expiry (well inside the promised 30 s). */
export const TOKEN_CHECK_INTERVAL_MS = 5_000;
/** A client this far behind (bytes queued to it) is disconnected rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Clients only ever send the AUTH frame (anything later is ignored), so frames are kept small. */
const MAX_INCOMING_FRAME_BYTES = 64 * 1024;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_TRY_LATER = 1013;

/** The part of `app.metrics` the feed reports into. */
interface ConnectionGauge {
  setOpenWebSockets(count: number): void;
}

/** `app.metrics` when the metrics plugin is registered (an app built without it still serves the feed). */
function gaugeOf(app: FastifyInstance): ConnectionGauge | undefined {
  return app.hasDecorator('metrics') ? app.metrics : undefined;
}

function send(socket: WebSocket, frame: string): void {
  socket.send(frame, { binary: false });
}

/** Every open socket of the feed: authenticates them, fans commits out to them, closes them when their token dies. */
class FeedHub {
  private readonly open = new Set<WebSocket>();
  private readonly authenticated = new Map<WebSocket, Principal>();
  /** Sockets not yet past their AUTH frame, by client address. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly auth: AuthService,
    private readonly gauge: () => ConnectionGauge | undefined,
    /** Told whether any socket is authenticated now, each time that may have changed. */
    private readonly listening: (any: boolean) => void,
  ) {}

  /** Takes a new socket from client `address`: it has AUTH_TIMEOUT_MS to send its AUTH frame. */
  accept(socket: WebSocket, address: string): void {
    // ws closes the socket itself after a protocol error (an oversized frame, say); the listener keeps the
    // error from being thrown as an unhandled event.
    socket.on('error', () => undefined);
    const waiting = this.pending.get(address) ?? 0;
    if (waiting >= MAX_PENDING_PER_ADDRESS) {
      send(socket, JSON.stringify({ error: 'too_many_pending', detail: `${String(waiting)} connections from this address are still waiting to authenticate; send AUTH on those first` }));
      socket.close(CLOSE_TRY_LATER, 'too many unauthenticated connections');
      return;
    }
    this.pending.set(address, waiting + 1);
    let counted = true;
    const settlePending = (): void => {
      if (!counted) return;
      counted = false;
      const left = (this.pending.get(address) ?? 1) - 1;
      if (left === 0) this.pending.delete(address);
      else this.pending.set(address, left);
    };
    this.open.add(socket);
    this.report();
    const timer = setTimeout(() => {
      this.refuse(socket, { error: 'auth_timeout', detail: `No AUTH frame within ${String(AUTH_TIMEOUT_MS / 1000)} s` });
    }, AUTH_TIMEOUT_MS);
    timer.unref();
    socket.once('message', (data, isBinary) => {
      clearTimeout(timer);
      settlePending();
      void this.authenticate(socket, parseAuthFrame(data, isBinary));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      settlePending();
      this.open.delete(socket);
      this.forget(socket);
      this.report();
    });
  }

  private async authenticate(socket: WebSocket, frame: { token: string } | ErrorFrame): Promise<void> {
    if (!('token' in frame)) {
      this.refuse(socket, frame);
      return;
    }
    let principal: Principal;
    try {
      principal = await this.auth.verify(frame.token);
    } catch (error) {
      const detail = error instanceof HttpError ? error.message : 'Token could not be verified';
      this.refuse(socket, { error: detail === 'Token has been revoked' ? 'token_revoked' : 'invalid_token', detail });
      return;
    }
    if (socket.readyState !== socket.OPEN) return;
    this.authenticated.set(socket, principal);
    this.listening(true);
    send(
      socket,
      JSON.stringify({
        status: 'authenticated',
        sub: principal.sub,
        scopes: principal.scopes,
        message: 'Connected to the KilnDB change feed; write through the HTTP routes.',
      }),
    );
  }

  /** Sends one `{error, detail}` frame and closes. */
  private refuse(socket: WebSocket, frame: ErrorFrame): void {
    if (socket.readyState !== socket.OPEN) return;
    this.forget(socket);
    send(socket, JSON.stringify(frame));
    socket.close(CLOSE_POLICY, frame.error);
  }

  /** Closes the socket when its token was revoked or expired; true when it is still good. */
  private keepIfValid(socket: WebSocket, principal: Principal): boolean {
    const status = this.auth.tokenStatus(principal);
    if (status === 'valid') return true;
    this.refuse(
      socket,
      status === 'revoked'
        ? { error: 'token_revoked', detail: 'The token has been revoked; the connection is closed.' }
        : { error: 'token_expired', detail: 'The token has expired; the connection is closed.' },
    );
    return false;
  }

  broadcast(frames: readonly ChangeFrame[]): void {
    if (frames.length === 0) return;
    for (const [socket, principal] of this.authenticated) {
      // Checked per commit too, so a revoked token hears nothing more even before the periodic check.
      if (!this.keepIfValid(socket, principal)) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.forget(socket);
        socket.close(CLOSE_TRY_LATER, 'client too slow: change events backed up');
        continue;
      }
      for (const frame of frames) if (maySee(principal, frame)) send(socket, frame.text);
    }
  }

  recheckTokens(): void {
    for (const [socket, principal] of this.authenticated) this.keepIfValid(socket, principal);
  }

  /** Closes every socket with 1001 (going away); whatever has not closed within a second is cut off. */
  closeAll(): void {
    for (const socket of this.open) socket.close(CLOSE_GOING_AWAY, 'server shutting down');
    const sockets = [...this.open];
    setTimeout(() => {
      for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
    }, 1000).unref();
  }

  private forget(socket: WebSocket): void {
    if (this.authenticated.delete(socket) && this.authenticated.size === 0) this.listening(false);
  }

  private report(): void {
    this.gauge()?.setOpenWebSockets(this.open.size);
  }
}

/**
 * GET /ws, MoltenDB's live change feed: the first frame is `{action:"AUTH", token}`, answered
 * `{status:"authenticated", sub, scopes}`; then one `{event:"change", collection, key, new_v}` per written key
 * the token may read. Not rate limited (one long-lived connection per client).
 */
export const websocketFeed: FastifyPluginAsync<ServerContext> = async (app, { db, auth }) => {
  // Subscribed only while a socket is authenticated: with no listener the engine skips building each
  // commit's change list, and the feed skips serializing frames nobody receives (work on every write).
  let unsubscribe: (() => void) | undefined;
  const hub = new FeedHub(
    auth,
    () => gaugeOf(app),
    (any) => {
      if (any && unsubscribe === undefined) {
        unsubscribe = db.onChange((commit) => {
          hub.broadcast(changeFrames(commit));
        });
      } else if (!any && unsubscribe !== undefined) {
        unsubscribe();
        unsubscribe = undefined;
      }
    },
  );
  await app.register(websocket, {
    options: { maxPayload: MAX_INCOMING_FRAME_BYTES },
    preClose(done) {
      hub.closeAll();
      this.websocketServer.close(() => {
        done();
      });
    },
  });
  const timer = setInterval(() => {
    hub.recheckTokens();
  }, TOKEN_CHECK_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', () => {
    clearInterval(timer);
    unsubscribe?.();
    unsubscribe = undefined;
  });
  app.route({
    method: 'GET',
    url: '/ws',
    schema: { hide: true },
    // A plain GET (no upgrade) gets a clear answer instead of an empty 404.
    handler: async (_request, reply) =>
      reply.code(426).header('upgrade', 'websocket').send(errorBody(new HttpError(426, 'GET /ws is a WebSocket endpoint: connect with a WebSocket client'))),
    wsHandler: (socket, request) => {
      hub.accept(socket, request.ip);
    },
  });
};
