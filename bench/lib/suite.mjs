// What every section shares: the options, the rows of the result table, and the rule that every
// figure is the median of `runs` measured runs after one warm-up run.
import { median } from "./stats.mjs";

export class Suite {
  rows = [];
  /** Figures later sections need (the ceiling, maximum rates), by name. */
  shared = {};
  skipped = [];
  /** What is being measured now (a section's configuration); prefixes the labels of `windows`. */
  context = "";
  /**
   * When each measured run ran, in microseconds of CLOCK_MONOTONIC (the clock of V8's CPU
   * profiles): bench/profile-summary.mjs --results <json> --window <text> keeps only their samples.
   */
  windows = [];

  constructor(opts) {
    this.opts = opts;
  }

  log(message) {
    console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
  }

  /**
   * Runs fn(run) once as a warm-up (run = -1, result discarded) and then `opts.runs` times;
   * returns the measured results. `describe` turns one result into a log line. `warmup: false`
   * leaves out the warm-up run, for figures whose setup already warmed everything up.
   */
  async repeat(label, fn, describe = () => "", { warmup = true } = {}) {
    const results = [];
    for (let run = warmup ? -1 : 0; run < this.opts.runs; run++) {
      const start = process.hrtime.bigint();
      const result = await fn(run);
      if (run >= 0) {
        const end = process.hrtime.bigint();
        const name = [this.context, label].filter(Boolean).join(" / ");
        this.windows.push({
          label: name,
          run: run + 1,
          startUs: Number(start / 1000n),
          endUs: Number(end / 1000n),
        });
      }
      this.log(`  ${label} ${run < 0 ? "warm-up" : `run ${run + 1}/${this.opts.runs}`}: ${describe(result)}`);
      if (run >= 0) results.push(result);
    }
    return results;
  }

  /**
   * Adds one table row. `values` are the per-run figures (the row shows their median), or pass
   * `value` for a single figure.
   */
  row({ section, name, unit, values, value, note = "", key, extra }) {
    const figure = value ?? median(values);
    const row = { section, name, unit, value: figure, runs: values ?? [figure], note, key, extra };
    this.rows.push(row);
    if (key !== undefined) this.shared[key] = figure;
    return row;
  }

  skip(section, name, reason) {
    this.log(`  skipped ${name}: ${reason}`);
    this.skipped.push({ section, name, reason });
    this.rows.push({ section, name, unit: "", value: null, runs: [], note: `skipped: ${reason}` });
  }
}
