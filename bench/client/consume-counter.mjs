// Counts what a consumer hands out (records and value bytes) until the expected number arrived:
// marks the phase timer's first record and its end, and checks nothing is missing or extra.
export class ConsumeCounter {
  records = 0;
  bytes = 0;
  #expected;
  #timer;
  #resolve;
  /** Resolves when the expected number of records arrived. */
  done = new Promise((resolve) => {
    this.#resolve = resolve;
  });

  constructor(expected, timer) {
    this.#expected = expected;
    this.#timer = timer;
  }

  /** Adds `records` records of `bytes` value bytes; true once all expected records arrived. */
  add(records, bytes) {
    if (this.records === 0) this.#timer.first();
    this.records += records;
    this.bytes += bytes;
    if (this.records >= this.#expected) {
      this.#timer.stop();
      this.#resolve();
      return true;
    }
    return false;
  }

  result() {
    if (this.records !== this.#expected)
      throw new Error(`consumed ${this.records} records, expected ${this.#expected}`);
    return { records: this.records, bytes: this.bytes };
  }
}
