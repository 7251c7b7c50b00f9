import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

describe("weir perf consume", () => {
  let broker: TestBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker({ "group.initial.rebalance.delay.ms": "0" });
    b = ["--bootstrap-server", broker.bootstrap];
    assert.equal((await runWeir(["topics", "create", "load", "-p", "3", ...b])).code, 0);
    const produced = await runWeir(["perf", "produce", "load", "-n", "3000", "-s", "100", ...b]);
    assert.equal(produced.code, 0, produced.stderr);
  });
  after(() => broker.destroy());

  test("reads every record of the topic and reports records/s and MB/s", async () => {
    const r = await runWeir(["perf", "consume", "load", ...b]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^records\s+3000 of 3000 read, 0\.29 MB in [\d.]+ s$/m);
    assert.match(r.stdout, /^throughput\s+[\d.]+ records\/s, [\d.]+ MB\/s$/m);
    assert.match(r.stdout, /^fetching\s+[\d.]+ records\/s, [\d.]+ MB\/s/m);
  });

  test("in a group with --num-records, as JSON; an idle topic fails after --idle-timeout", async () => {
    const r = await runWeir([
      "perf",
      "consume",
      "load",
      "-g",
      "bench",
      "-n",
      "1000",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      records: number;
      bytes: number;
      group: string;
      recordsPerSec: number;
    };
    assert.deepEqual([s.records, s.bytes, s.group], [1000, 100_000, "bench"]);
    assert.ok(s.recordsPerSec > 0);

    // Longer than fetch.max.wait.ms (500): a first Fetch may long-poll partitions that hold nothing.
    const starved = await runWeir(["perf", "consume", "load", "-n", "5000", "--idle-timeout", "2000", ...b]);
    assert.equal(starved.code, 1);
    assert.match(starved.stderr, /no record arrived for 2000 ms: read 3000 of 5000 records/);
  });
});
