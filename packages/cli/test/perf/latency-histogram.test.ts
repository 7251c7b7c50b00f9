import assert from "node:assert/strict";
import { test } from "node:test";
import { LatencyHistogram } from "../../src/perf/latency-histogram.js";

test("percentiles of 1..1000 ms are within 2 % of the exact ones; count, mean and max are exact", () => {
  const h = new LatencyHistogram();
  for (let ms = 1000; ms >= 1; ms--) h.record(ms);
  assert.equal(h.count, 1000);
  assert.equal(h.meanMs, 500.5);
  assert.equal(h.maxMs, 1000);
  assert.equal(h.minMs, 1);
  for (const [q, exact] of [
    [0.5, 500],
    [0.95, 950],
    [0.99, 990],
    [0.999, 999],
    [1, 1000],
  ]) {
    const got = h.percentileMs(q);
    assert.ok(Math.abs(got - exact) / exact <= 0.02, `p${q * 100}: ${got} vs ${exact}`);
  }
});

test("sub-millisecond latencies are exact to the microsecond below 128 µs", () => {
  const h = new LatencyHistogram();
  for (const ms of [0.05, 0.05, 0.1, 0.127]) h.record(ms);
  assert.equal(h.percentileMs(0.5), 0.05);
  assert.equal(h.percentileMs(1), 0.127);
});

test("an empty histogram reports zeros; huge values are clamped, not lost", () => {
  const h = new LatencyHistogram();
  assert.equal(h.percentileMs(0.99), 0);
  assert.equal(h.meanMs, 0);
  h.record(10 * 24 * 3600 * 1000);
  assert.equal(h.count, 1);
  assert.equal(h.percentileMs(0.5), h.maxMs);
});
