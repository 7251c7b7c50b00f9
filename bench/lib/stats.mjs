export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Percentile q (0–100) of weighted samples: `values[i]` seen `weights[i]` times (nearest-rank).
 * Returns NaN without samples.
 */
export function weightedPercentile(values, weights, q) {
  const order = Array.from(values.keys()).sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (const w of weights) total += w;
  if (total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((q / 100) * total));
  let seen = 0;
  for (const i of order) {
    seen += weights[i];
    if (seen >= rank) return values[i];
  }
  return values[order[order.length - 1]];
}

export function round(v, digits = 1) {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** "98% (main thread 91%, 41% in the kernel)" from a WeirBroker cpuMeter() reading. */
export function cpuNote(cpu) {
  const pct = (x) => `${Math.round(x * 100)}%`;
  return `broker CPU ${pct(cpu.process)} (main thread ${pct(cpu.main)}, ${pct(cpu.mainSystem)} in the kernel)`;
}

/** The per-field median of cpuMeter() readings. */
export function medianCpu(readings) {
  return {
    process: median(readings.map((c) => c.process)),
    main: median(readings.map((c) => c.main)),
    mainSystem: median(readings.map((c) => c.mainSystem)),
  };
}
