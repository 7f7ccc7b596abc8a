import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** Answers every error as `{ error, statusCode }`, never a stack. (Stub: to be built.) */
export const errorsPlugin: FastifyPluginAsync<ServerContext> = async () => {};
