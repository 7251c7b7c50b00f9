// Times one phase inside a client process: wall time and this process's CPU time from start()
// to stop(), the first record (consumers), and the window in CLOCK_MONOTONIC microseconds (the
// clock of V8's CPU profiles, for bench/profile-summary.mjs --window).
export class PhaseTimer {
  #start = null;
  #first = null;
  #stop = null;
  #cpuStart = null;
  #cpu = null;

  start() {
    this.#cpuStart = process.cpuUsage();
    this.#start = process.hrtime.bigint();
  }

  /** The first record arrived (consumers: throughput is measured from here, after the group join). */
  first() {
    this.#first ??= process.hrtime.bigint();
  }

  stop() {
    if (this.#stop !== null) return;
    this.#stop = process.hrtime.bigint();
    this.#cpu = process.cpuUsage(this.#cpuStart);
  }

  result() {
    if (this.#start === null || this.#stop === null)
      throw new Error("the phase timer was not started and stopped");
    const seconds = (from, to) => Number(to - from) / 1e9;
    const total = seconds(this.#start, this.#stop);
    return {
      totalSeconds: total,
      // From the first record on for consumers; the whole phase for producers.
      seconds: this.#first === null ? total : seconds(this.#first, this.#stop),
      clientCpuSeconds: (this.#cpu.user + this.#cpu.system) / 1e6,
      clientCpu: (this.#cpu.user + this.#cpu.system) / 1e6 / total,
      window: { startUs: Number(this.#start / 1000n), endUs: Number(this.#stop / 1000n) },
    };
  }
}
