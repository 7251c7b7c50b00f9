import { LatencyHistogram } from "./latency-histogram.js";

/** Throughput and latency of a stretch of time: one report line of a perf test, or its total. */
export class PerfWindow {
  readonly startMs: number;
  readonly latency = new LatencyHistogram();
  #records = 0;
  #bytes = 0;

  constructor(startMs: number) {
    this.startMs = startMs;
  }

  record(latencyMs: number, bytes: number): void {
    this.latency.record(latencyMs);
    this.#records++;
    this.#bytes += bytes;
  }

  get records(): number {
    return this.#records;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The window's figures as of `nowMs`: rates per second, MB of 1024 × 1024 bytes as in Kafka's tools. */
  summary(nowMs: number): PerfSummary {
    const elapsedMs = Math.max(1, nowMs - this.startMs);
    const h = this.latency;
    return {
      records: this.#records,
      bytes: this.#bytes,
      elapsedMs: round(elapsedMs, 1),
      recordsPerSec: round((this.#records * 1000) / elapsedMs, 1),
      mbPerSec: round((this.#bytes * 1000) / elapsedMs / (1024 * 1024), 2),
      latencyMs: {
        avg: round(h.meanMs, 2),
        max: round(h.maxMs, 2),
        p50: round(h.percentileMs(0.5), 2),
        p95: round(h.percentileMs(0.95), 2),
        p99: round(h.percentileMs(0.99), 2),
        p999: round(h.percentileMs(0.999), 2),
      },
    };
  }
}

export interface PerfSummary {
  readonly records: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly latencyMs: {
    readonly avg: number;
    readonly max: number;
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly p999: number;
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
