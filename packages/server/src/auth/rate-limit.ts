import type { FastifyReply } from 'fastify';
import type { ServerConfig } from '../config.js';
import { HttpError } from '../http-error.js';

/** A route's limit: at most `max` requests per client address in each window of `timeWindow` ms. */
export interface RateLimitOptions {
  readonly max: number;
  readonly timeWindow: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Puts the route under a per-address rate limit of its own (routes without it are never throttled). */
    rateLimit?: RateLimitOptions;
  }
}

/** The route `config` that puts a route under the rate limit: `{ config: rateLimited(context.config) }`. */
export function rateLimited(config: ServerConfig): { rateLimit: RateLimitOptions } {
  return { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } };
}

/** Client addresses one route remembers; past this the least recently seen is forgotten. */
const TRACKED_ADDRESSES = 5000;

interface Window {
  count: number;
  startMs: number;
}

/**
 * One route's counters, keyed by client address (`request.ip`: the socket address, or the `X-Forwarded-For`
 * client only when Fastify trusts the proxy, so a client cannot pick a new key per request by sending the
 * header itself). Fixed windows that start at an address's first request, as @fastify/rate-limit's local
 * store counts, but checked synchronously in the request hook: that plugin's async hook cost a GET three
 * promises.
 */
export class RouteRateLimit {
  private readonly windows = new Map<string, Window>();
  /** The most recently seen address: already last in the Map's order, so it needs no move. */
  private latest: string | undefined;

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Counts a request from `address`. Under the limit: undefined, and no headers. Over it: the 429 to answer,
   * with the x-ratelimit-* and retry-after headers set on `reply`.
   */
  hit(address: string, reply: FastifyReply, nowMs: number): HttpError | undefined {
    let window = this.windows.get(address);
    if (window === undefined) {
      if (this.windows.size >= TRACKED_ADDRESSES) this.forgetLeastRecent();
      window = { count: 1, startMs: nowMs };
      this.windows.set(address, window);
    } else {
      if (address !== this.latest) {
        // Map order is recency order: move it last (a delete and set churn the Map's table, so only when needed).
        this.windows.delete(address);
        this.windows.set(address, window);
      }
      if (window.startMs + this.windowMs <= nowMs) {
        window.count = 1;
        window.startMs = nowMs;
      } else {
        window.count++;
      }
    }
    this.latest = address;
    if (window.count <= this.max) return undefined;
    const resetSec = Math.ceil((this.windowMs - (nowMs - window.startMs)) / 1000);
    void reply
      .header('x-ratelimit-limit', this.max)
      .header('x-ratelimit-remaining', 0)
      .header('x-ratelimit-reset', resetSec)
      .header('retry-after', resetSec);
    return new HttpError(429, `Rate limit exceeded: ${String(this.max)} requests per ${durationWords(resetSec * 1000)}; retry later`);
  }

  private forgetLeastRecent(): void {
    for (const address of this.windows.keys()) {
      this.windows.delete(address);
      return;
    }
  }
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

/** `60000` → `1 minute`, `90000` → `2 minutes`: the words the 429 message has always used for the time left. */
export function durationWords(ms: number): string {
  if (ms < SECOND) return `${String(ms)} ms`;
  const [value, unit] = ms < MINUTE ? [ms / SECOND, 'second'] : ms < HOUR ? [ms / MINUTE, 'minute'] : ms < DAY ? [ms / HOUR, 'hour'] : ms < YEAR ? [ms / DAY, 'day'] : [ms / YEAR, 'year'];
  const whole = Number.isInteger(value) ? value : Math.floor(value + 0.5);
  return `${String(whole)} ${unit}${whole === 1 ? '' : 's'}`;
}
