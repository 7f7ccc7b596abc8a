import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ChangesUnavailableError, type Commit, type Database } from '@kilndb/doc-engine';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { allows, authorize, principalOf } from '../../auth/guard.js';
import type { Principal } from '../../auth/principal.js';
import type { ServerContext } from '../../context.js';
import { rateLimited } from '../../auth/rate-limit.js';
import { errorBody, HttpError } from '../../http-error.js';
import { checkCollectionName } from '../../limits.js';
import { CollectionParams } from './schemas.js';
import { HEARTBEAT_MS, sseEvent, startSseStream, type SseStream } from './sse.js';

const tags = ['REST change feed'];
const ChangesQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, description: 'Send the commits after this sequence number first (Last-Event-ID wins when both are given)' })),
});
const description =
  'Server-sent events: first `event: ready` (`id:` and data `{seq}`: where the stream starts), then one `event: change` per commit touching what the token may read, `id:` = the commit seq, ' +
  'data `{seq, txId?, entries:[{seq, cmd, collection, key, value, _t}]}` (INSERT values are the stored documents). ' +
  'Resume with Last-Event-ID. 410 when the history asked for was compacted away. `: heartbeat` comments every 15 s.';

/** How long the route waits for the first commit of a history read before it commits to a 200 stream. */
const HISTORY_CHECK_MS = 1000;

/** GET /collections/:c/changes and GET /changes (every collection the token may read), as server-sent events. */
export const changeRoutes: FastifyPluginCallback<ServerContext> = (fastify, { db, config }, done) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const open = new Set<SseStream>();
  // Open streams would hold server.close() forever: end them first.
  app.addHook('preClose', (closed) => {
    for (const stream of open) stream.stop();
    closed();
  });

  app.get(
    '/collections/:c/changes',
    { config: rateLimited(config), schema: { tags, summary: "A collection's changes", description, params: CollectionParams, querystring: ChangesQuery } },
    async (request, reply) => {
      const { c } = request.params;
      checkCollectionName(c);
      authorize(request, 'read', c);
      return serve(request, reply, db, open, request.query.since, (entry) => entry.collection === c);
    },
  );

  app.get(
    '/changes',
    { config: rateLimited(config), schema: { tags, summary: 'Changes to every collection the token may read', description, querystring: ChangesQuery } },
    async (request, reply) => {
      const principal = principalOf(request);
      return serve(request, reply, db, open, request.query.since, (entry) => mayRead(principal, entry));
    },
  );
  done();
};

/** A document's entry needs read access to its key; a collection-wide one (drop, schema, index, config) to the whole collection. */
function mayRead(principal: Principal, entry: EntryView): boolean {
  const perDocument = entry.cmd === 'INSERT' || entry.cmd === 'DELETE';
  return allows(principal, 'read', entry.collection, perDocument ? entry.key : undefined);
}

interface EntryView {
  readonly seq: number;
  readonly cmd: string;
  readonly collection: string;
  readonly key: string;
  readonly value: unknown;
  readonly _t: number;
}

async function serve(
  request: FastifyRequest,
  reply: FastifyReply,
  db: Database,
  open: Set<SseStream>,
  sinceQuery: number | undefined,
  select: (entry: EntryView) => boolean,
): Promise<FastifyReply> {
  const since = lastEventId(request) ?? sinceQuery;
  // Where this stream starts, read in the same step as the iterator is made: the `ready` event carries it as
  // its id, so a client that drops before any change still resumes without a gap.
  const start = since ?? db.seq;
  const iterator = db.changes(since === undefined ? {} : { sinceSeq: since });
  let first: Promise<IteratorResult<Commit>> | undefined;
  if (since !== undefined && since < db.seq) {
    // History is read in the background; a compacted range fails its first next(), which must become a 410
    // before the 200 goes out.
    first = iterator.next();
    first.catch(() => undefined);
    const timer = new Promise<undefined>((resolve) => {
      setTimeout(() => {
        resolve(undefined);
      }, HISTORY_CHECK_MS).unref();
    });
    try {
      await Promise.race([first, timer]);
    } catch (error) {
      void iterator.return?.();
      if (error instanceof ChangesUnavailableError) {
        throw new HttpError(410, `Changes after ${since} are no longer kept (compacted); resync and resume after ${error.oldestAvailableSeq}`, {
          since,
          oldestAvailableSeq: error.oldestAvailableSeq,
        });
      }
      throw error;
    }
  }
  const stream = startSseStream<Commit>({
    iterator,
    ...(first === undefined ? {} : { first }),
    render: (commit) => {
      const entries = commit.entries
        .map(({ seq, entry }): EntryView => ({ seq, cmd: entry.cmd, collection: entry.collection, key: entry.key, value: entry.value, _t: entry._t }))
        .filter(select);
      if (entries.length === 0) return undefined;
      return sseEvent('change', { seq: commit.seq, ...(commit.txId === undefined ? {} : { txId: commit.txId }), entries }, commit.seq);
    },
    renderError: (error) => sseEvent('error', errorBody(error instanceof ChangesUnavailableError ? new HttpError(410, error.message) : new HttpError(503, 'The change feed stopped'))),
    heartbeatMs: HEARTBEAT_MS,
    opening: sseEvent('ready', { seq: start }, start),
  });
  open.add(stream);
  void stream.stopped.then(() => {
    open.delete(stream);
  });
  reply.raw.on('close', () => {
    stream.stop();
  });
  return reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    .header('x-accel-buffering', 'no')
    // The connection ends with the stream: a kept-alive socket left behind would hold server.close() open.
    .header('connection', 'close')
    .send(stream.body);
}

function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id'];
  if (header === undefined || header === '') return undefined;
  if (typeof header !== 'string' || !/^[0-9]{1,16}$/.test(header.trim())) {
    throw new HttpError(400, 'Last-Event-ID must be a commit sequence number', { header: 'last-event-id', value: header });
  }
  return Number(header.trim());
}
