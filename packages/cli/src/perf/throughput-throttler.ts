/**
 * Keeps a sender at a target rate, like Kafka's ThroughputThrottler: after each record it says how
 * long to wait so that `sent / elapsed` does not exceed `recordsPerSecond`. A negative target
 * means no limit.
 */
export class ThroughputThrottler {
  readonly #perSecond: number;
  readonly #startMs: number;

  constructor(recordsPerSecond: number, startMs: number) {
    this.#perSecond = recordsPerSecond;
    this.#startMs = startMs;
  }

  /** Milliseconds to wait after `sent` records at `nowMs` (0: go on). */
  delayMs(sent: number, nowMs: number): number {
    if (this.#perSecond < 0) return 0;
    if (this.#perSecond === 0) return Number.POSITIVE_INFINITY;
    const due = this.#startMs + (sent / this.#perSecond) * 1000;
    return Math.max(0, due - nowMs);
  }
}
