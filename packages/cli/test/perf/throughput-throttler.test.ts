import assert from "node:assert/strict";
import { test } from "node:test";
import { ThroughputThrottler } from "../../src/perf/throughput-throttler.js";

test("waits until the target rate allows the next record; -1 never waits", () => {
  const t = new ThroughputThrottler(100, 1_000);
  assert.equal(t.delayMs(1, 1_000), 10);
  assert.equal(t.delayMs(50, 1_200), 300);
  assert.equal(t.delayMs(50, 2_000), 0);
  assert.equal(new ThroughputThrottler(-1, 0).delayMs(1_000_000, 0), 0);
});
