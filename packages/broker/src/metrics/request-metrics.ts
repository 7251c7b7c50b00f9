import { apiSpec } from "@weir/protocol";
import { LatencyHistogram } from "./latency-histogram.js";

/** Kafka's RequestMetrics for one API: requests per version and the total time histogram. */
export class ApiRequestStats {
  /** Requests handled, indexed by version. */
  readonly requests: Float64Array;
  /** From the frame reaching the dispatcher until its response was encoded, in ms. */
  readonly totalTimeMs = new LatencyHistogram();

  constructor(
    /** Kafka's request name: Produce, Fetch, ApiVersions, … */
    readonly name: string,
    maxVersion: number,
  ) {
    this.requests = new Float64Array(maxVersion + 1);
  }
}

/**
 * Per-request counters, updated by the request dispatcher on every request with plain number
 * arithmetic (no labels to hash, nothing allocated) and read by the Prometheus collectors only when
 * scraped. Only API versions the broker serves are counted, so a client cannot create series.
 */
export class RequestMetrics {
  readonly #byKey: (ApiRequestStats | undefined)[] = [];
  /** Request bytes received, size prefix included. */
  incomingBytes = 0;
  /** Response bytes sent, size prefix included. */
  outgoingBytes = 0;

  constructor(apis: Iterable<{ readonly apiKey: number; readonly maxVersion: number }>) {
    for (const { apiKey, maxVersion } of apis) {
      this.#byKey[apiKey] = new ApiRequestStats(apiSpec(apiKey)?.name ?? `ApiKey${apiKey}`, maxVersion);
    }
  }

  /** One request of `apiKey` at `version` that took `ms` milliseconds. */
  record(apiKey: number, version: number, ms: number): void {
    const stats = this.#byKey[apiKey];
    if (stats === undefined || version < 0 || version >= stats.requests.length) return;
    stats.requests[version]!++;
    stats.totalTimeMs.observe(ms);
  }

  /** Stats of every served API. */
  *apis(): IterableIterator<ApiRequestStats> {
    for (const stats of this.#byKey) if (stats !== undefined) yield stats;
  }
}
