import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestLatency } from './request-latency.js';

describe('RequestLatency', () => {
  it("writes exactly the exposition prom-client's Histogram writes for the same observations", async () => {
    const ours = new Registry();
    const latency = new RequestLatency();
    latency.register(ours);
    const theirs = new Registry();
    const histogram = new Histogram({
      name: 'kilndb_http_request_duration_seconds',
      help: 'Request latency by route',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [theirs],
    });
    // Bounds themselves, values between them, and one past every bound.
    const observations: [string, string, number, number][] = [
      ['GET', '/collections/:c/docs/:key', 200, 0.0004],
      ['GET', '/collections/:c/docs/:key', 200, 0.001],
      ['POST', '/set', 200, 0.0123],
      ['GET', '/collections/:c/docs/:key', 404, 0.3],
      ['POST', '/set', 200, 7.5],
      ['GET', '(unmatched)', 404, 0.00002],
    ];
    for (const [method, route, status, seconds] of observations) {
      latency.observe(method, route, status, seconds);
      histogram.observe({ method, route, status_code: String(status) }, seconds);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('kilndb_http_request_duration_seconds_count{method="POST",route="/set",status_code="200"} 2');
  });
});
