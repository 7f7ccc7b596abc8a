import type { Metric, Registry } from 'prom-client';

/** Upper bounds of the latency buckets, in seconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

interface Series {
  readonly labels: Readonly<Record<'method' | 'route' | 'status_code', string>>;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface ExportedValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * `kilndb_http_request_duration_seconds`: request latency by method, route and status, exposed as the
 * Prometheus histogram prom-client's Histogram writes (same buckets, lines and label order). Counted here
 * instead: prom-client checks and hashes the label set on every observation, a microsecond per request.
 */
export class RequestLatency {
  readonly name = 'kilndb_http_request_duration_seconds';
  readonly help = 'Request latency by route';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  // method → status → route → series: no key string is built per request.
  private readonly byMethod = new Map<string, Map<number, Map<string, Series>>>();
  private readonly series: Series[] = [];

  /** Registers this metric in `registry` (its exposition reads `get()`, as for prom-client's own metrics). */
  register(registry: Registry): void {
    registry.registerMetric(this as unknown as Metric);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byStatus = this.byMethod.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.byMethod.set(method, byStatus);
    }
    let byRoute = byStatus.get(status);
    if (byRoute === undefined) {
      byRoute = new Map();
      byStatus.set(status, byRoute);
    }
    let series = byRoute.get(route);
    if (series === undefined) {
      series = { labels: { method, route, status_code: String(status) }, counts: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 };
      byRoute.set(route, series);
      this.series.push(series);
    }
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > (BUCKETS[bucket] ?? Infinity)) bucket++;
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
    series.sum += seconds;
    series.count++;
  }

  /** The metric as prom-client's registry reads it: cumulative `_bucket` lines with `le` first, then `_sum` and `_count`. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExportedValue[] }> {
    const values: ExportedValue[] = [];
    for (const series of this.series) {
      let cumulative = 0;
      BUCKETS.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${this.name}_bucket` });
      values.push({ labels: series.labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: series.labels, value: series.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
