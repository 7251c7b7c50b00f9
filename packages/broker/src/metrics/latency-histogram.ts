import type { Metric, Registry } from "prom-client";

/** Upper bounds of the latency buckets, in milliseconds: 0.1 ms to 10 s (and +Inf). */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

/**
 * A fixed-bucket histogram of durations in milliseconds that costs a few nanoseconds and no
 * allocation per observation (prom-client's Histogram hashes its labels on every observe). It is
 * rendered in Prometheus form only when scraped, by {@link HistogramFamily}.
 */
export class LatencyHistogram {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly buckets = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    this.buckets[i]!++;
    this.sum += ms;
    this.count++;
  }
}

interface SampleValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName: string;
}

/**
 * Exposes a set of {@link LatencyHistogram}s, one per value of one label, as one Prometheus
 * histogram (`_bucket{le=…}`, `_sum`, `_count`). It implements the collector protocol a prom-client
 * Registry reads (name, help, type, aggregator, get(), reset()), so it is scraped with the rest.
 */
export class HistogramFamily {
  readonly type = "histogram";
  readonly aggregator = "sum";

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelName: string,
    readonly series: () => Iterable<readonly [labelValue: string, histogram: LatencyHistogram]>,
  ) {}

  /** Adds this family to `registry`. */
  registerIn(registry: Registry): void {
    registry.registerMetric(this as unknown as Metric);
  }

  async get() {
    const values: SampleValue[] = [];
    for (const [labelValue, h] of this.series()) {
      if (h.count === 0) continue;
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) {
        cumulative += h.buckets[i]!;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { [this.labelName]: labelValue, le: LATENCY_BUCKETS_MS[i]! },
          value: cumulative,
        });
      }
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { [this.labelName]: labelValue, le: "+Inf" },
        value: h.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: { [this.labelName]: labelValue }, value: h.sum });
      values.push({
        metricName: `${this.name}_count`,
        labels: { [this.labelName]: labelValue },
        value: h.count,
      });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The observations belong to the broker; a registry reset does not clear them. */
  reset(): void {}
}
