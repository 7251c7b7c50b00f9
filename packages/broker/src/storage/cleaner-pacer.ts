/**
 * How the log cleaner shares the event loop with produce and fetch: it works in bounded slices —
 * at most `sliceBytes` of reads and writes, or `sliceMs` of time, whichever comes first — and
 * yields with setImmediate between them, so every network event queued meanwhile runs before the
 * next slice. Kafka's log.cleaner.io.max.bytes.per.second throttles on top: when the bytes done
 * since the start run ahead of the allowed rate, the cleaner sleeps until they no longer do.
 */

export interface PacerTiming {
  /** A monotonic clock in milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Resolves after the events queued so far ran. */
  yield(): Promise<void>;
}

export const realPacerTiming: PacerTiming = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  yield: () => new Promise((resolve) => setImmediate(resolve)),
};

export interface PacerOptions {
  /** Bytes of reads plus writes per slice. */
  readonly sliceBytes: number;
  /** Longest slice in milliseconds. */
  readonly sliceMs: number;
  /** log.cleaner.io.max.bytes.per.second; Infinity (or any huge value) for no limit. */
  readonly maxBytesPerSecond: number;
}

export class CleanerPacer {
  readonly #options: PacerOptions;
  readonly #timing: PacerTiming;
  #sliceStart: number;
  #sliceBytes = 0;
  #start: number;
  #bytes = 0;
  /** Milliseconds spent sleeping for the throttle. */
  throttledMs = 0;

  constructor(options: PacerOptions, timing: PacerTiming = realPacerTiming) {
    this.#options = options;
    this.#timing = timing;
    this.#start = this.#sliceStart = timing.now();
  }

  /** Bytes counted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Counts `bytes` of I/O; ends the slice (yielding or sleeping) when it is used up. */
  async step(bytes: number): Promise<void> {
    this.#bytes += bytes;
    this.#sliceBytes += bytes;
    const now = this.#timing.now();
    if (this.#sliceBytes < this.#options.sliceBytes && now - this.#sliceStart < this.#options.sliceMs) return;
    const rate = this.#options.maxBytesPerSecond;
    const due = Number.isFinite(rate) && rate > 0 ? (this.#bytes / rate) * 1000 - (now - this.#start) : 0;
    if (due > 1) {
      this.throttledMs += due;
      await this.#timing.sleep(due);
    } else {
      await this.#timing.yield();
    }
    this.#sliceBytes = 0;
    this.#sliceStart = this.#timing.now();
  }
}
