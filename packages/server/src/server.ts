import { Database } from '@kilndb/doc-engine';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { buildApp } from './app.js';
import { resolveConfig, type ServerConfig, type ServerConfigInput } from './config.js';

/** A running server: its database, its Fastify app, the address it listens on. */
export interface KilnServer {
  readonly config: ServerConfig;
  readonly db: Database;
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:1538` (or https). */
  readonly url: string;
  /** Stops accepting, lets requests in flight finish, closes WebSockets and the database. */
  close(): Promise<void>;
}

/** Opens the database in `config.dataDir` and listens on `config.host:config.port`. */
export async function startServer(input: ServerConfigInput): Promise<KilnServer> {
  const config = resolveConfig(input);
  const db = await Database.open(config.dataDir, {
    durability: config.durability,
    inlineSync: config.inlineSync,
    ...(config.encryptionKey === undefined ? {} : { encryptionKey: config.encryptionKey }),
  });
  let app: FastifyInstance;
  // Sockets that have not carried a request yet (clients open spare ones): Node's closeIdleConnections()
  // does not count them as idle, so close() destroys them itself.
  const unused = new Set<Socket>();
  try {
    app = await buildApp(db, config);
    app.server.on(config.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
      unused.add(socket);
      socket.once('close', () => unused.delete(socket));
    });
    app.server.on('request', (request: IncomingMessage) => unused.delete(request.socket));
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await db.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls === undefined ? 'http' : 'https'}://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    config,
    db,
    app,
    url,
    close() {
      closing ??= (async () => {
        // Node's close() drops only the keep-alive connections idle at that moment; one busy then would stay
        // open until its keep-alive timeout (72 s under Fastify) after its request finished. Drop them as they idle.
        const sweep = setInterval(() => {
          app.server.closeIdleConnections();
          for (const socket of unused) socket.destroy();
        }, 50);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
          await db.close();
        }
      })();
      return closing;
    },
  };
}
