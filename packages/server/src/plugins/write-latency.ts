export interface LatencySummary {
  /** How many recent writes the figures cover. */
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The durations of the last `capacity` writes, in a ring, summarised on demand (for the console, not Prometheus). */
export class WriteLatency {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    this.filled = Math.min(this.filled + 1, this.ring.length);
  }

  summary(): LatencySummary {
    if (this.filled === 0) return { samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.ring.slice(0, this.filled).sort();
    const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return { samples: this.filled, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted[sorted.length - 1] ?? 0) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
