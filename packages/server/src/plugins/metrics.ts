import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

/** Prometheus metrics at /metrics and /system/metrics. (Stub: to be built.) */
export const metricsPlugin: FastifyPluginAsync<ServerContext> = async () => {};
