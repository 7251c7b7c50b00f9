import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import {
  HistogramFamily,
  LATENCY_BUCKETS_MS,
  LatencyHistogram,
} from "../../src/metrics/latency-histogram.js";
import { parsePrometheusText, sampleValue } from "./prometheus-text.js";

test("observations land in the first bucket whose bound they do not exceed", () => {
  const h = new LatencyHistogram();
  for (const ms of [0, 0.1, 0.11, 1, 9.99, 10_000, 10_001]) h.observe(ms);
  assert.equal(h.count, 7);
  assert.equal(h.buckets[0], 2); // 0 and 0.1
  assert.equal(h.buckets[1], 1); // 0.11
  assert.equal(h.buckets[LATENCY_BUCKETS_MS.indexOf(1)], 1);
  assert.equal(h.buckets[LATENCY_BUCKETS_MS.indexOf(10)], 1);
  assert.equal(h.buckets[LATENCY_BUCKETS_MS.length - 1], 1); // 10 s
  assert.equal(h.buckets[LATENCY_BUCKETS_MS.length], 1); // above every bound
});

test("a histogram family renders cumulative buckets, sum and count through a prom-client registry", async () => {
  const produce = new LatencyHistogram();
  const fetch = new LatencyHistogram();
  const idle = new LatencyHistogram();
  for (const ms of [0.05, 0.3, 0.3, 42]) produce.observe(ms);
  fetch.observe(500);
  const registry = new Registry();
  new HistogramFamily("test_time_ms", "test", "request", () => [
    ["Produce", produce],
    ["Fetch", fetch],
    ["Idle", idle],
  ]).registerIn(registry);
  const samples = parsePrometheusText(await registry.metrics());
  const bucket = (request: string, le: string) =>
    sampleValue(samples, "test_time_ms_bucket", { request, le });
  assert.equal(bucket("Produce", "0.1"), 1);
  assert.equal(bucket("Produce", "0.25"), 1);
  assert.equal(bucket("Produce", "0.5"), 3);
  assert.equal(bucket("Produce", "50"), 4);
  assert.equal(bucket("Produce", "+Inf"), 4);
  assert.equal(sampleValue(samples, "test_time_ms_count", { request: "Produce" }), 4);
  assert.ok(Math.abs((sampleValue(samples, "test_time_ms_sum", { request: "Produce" }) ?? 0) - 42.65) < 1e-9);
  assert.equal(bucket("Fetch", "250"), 0);
  assert.equal(bucket("Fetch", "500"), 1);
  assert.ok(
    !samples.some((s) => s.labels.request === "Idle"),
    "histograms without observations are left out",
  );
  assert.equal(samples.filter((s) => s.labels.request === "Fetch").length, LATENCY_BUCKETS_MS.length + 3);
});
