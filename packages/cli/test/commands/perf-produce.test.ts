import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

describe("weir perf produce", () => {
  let broker: TestBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker();
    b = ["--bootstrap-server", broker.bootstrap];
    const r = await runWeir(["topics", "create", "bench", "-p", "2", ...b]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => broker.destroy());

  test("sends the records and reports records/s, MB/s and latency percentiles", async () => {
    const r = await runWeir([
      "perf",
      "produce",
      "bench",
      "--num-records",
      "5000",
      "--record-size",
      "200",
      "-z",
      "lz4",
      ...b,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^records\s+5000 of 5000 sent, 0\.95 MB in [\d.]+ s$/m);
    assert.match(r.stdout, /^throughput\s+[\d.]+ records\/s, [\d.]+ MB\/s$/m);
    assert.match(
      r.stdout,
      /^latency\s+avg [\d.]+ ms, p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, p99\.9 [\d.]+ ms, max [\d.]+ ms$/m,
    );
    assert.match(r.stdout, /^errors\s+0$/m);

    const offsets = await runWeir(["topics", "describe", "bench", "--output", "json", ...b]);
    const [bench] = JSON.parse(offsets.stdout) as { partitions: { endOffset: number }[] }[];
    assert.equal(
      bench.partitions.reduce((n, p) => n + p.endOffset, 0),
      5000,
    );
  });

  test("--throughput limits the rate; --output json gives the figures", async () => {
    const r = await runWeir([
      "perf",
      "produce",
      "bench",
      "-n",
      "300",
      "-s",
      "10",
      "--throughput",
      "1000",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      records: number;
      bytes: number;
      elapsedMs: number;
      recordsPerSec: number;
      mbPerSec: number;
      latencyMs: { p50: number; p99: number; max: number };
      errors: number;
    };
    assert.equal(s.records, 300);
    assert.equal(s.bytes, 3000);
    assert.equal(s.errors, 0);
    assert.ok(s.elapsedMs >= 250, `300 records at 1000/s took only ${s.elapsedMs} ms`);
    assert.ok(s.recordsPerSec <= 1200, `rate ${s.recordsPerSec}`);
    assert.ok(s.latencyMs.p50 <= s.latencyMs.p99 && s.latencyMs.p99 <= s.latencyMs.max);
  });
});
