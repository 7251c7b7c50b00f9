import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CompressionType } from "@weir/protocol";
import { hasKcat, runKcat, runWeir } from "../support/run-weir.js";
import { storedRecords } from "../support/segment-records.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

describe("weir produce", () => {
  let broker: TestBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker();
    b = ["--bootstrap-server", broker.bootstrap];
    for (const [topic, partitions] of [
      ["events", "1"],
      ["spread", "2"],
    ]) {
      const r = await runWeir(["topics", "create", topic, "-p", partitions, ...b]);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => broker.destroy());

  test("stdin lines with --key-separator, --header and --compression zstd land as sent", async (t) => {
    const input = "user-1:signed up\nuser-2:paid: 9.50 EUR\nuser-1:\n";
    const r = await runWeir(
      [
        "produce",
        "events",
        "--key-separator",
        ":",
        "--header",
        "source=weir-cli",
        "-H",
        "marker",
        "--compression",
        "zstd",
        ...b,
      ],
      { input },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Produced 3 records .* to events/);
    assert.match(r.stdout, /^\s*0\s+3\s+0\s+2$/m);

    const stored = storedRecords(broker.dataDir, "events", 0);
    assert.deepEqual(
      stored.map((s) => [s.offset, s.key, s.value]),
      [
        [0, "user-1", "signed up"],
        [1, "user-2", "paid: 9.50 EUR"],
        [2, "user-1", ""],
      ],
    );
    assert.ok(stored.every((s) => s.compression === CompressionType.Zstd));
    for (const s of stored) {
      assert.deepEqual(s.headers, [
        { key: "source", value: "weir-cli" },
        { key: "marker", value: null },
      ]);
    }

    if (!hasKcat()) {
      t.diagnostic("kcat is not installed: skipped reading the records back with librdkafka");
      return;
    }
    const read = await runKcat([
      "-b",
      broker.bootstrap,
      "-C",
      "-t",
      "events",
      "-e",
      "-q",
      "-f",
      "%o|%k|%s|%h\\n",
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout.trim().split("\n"), [
      "0|user-1|signed up|source=weir-cli,marker=NULL",
      "1|user-2|paid: 9.50 EUR|source=weir-cli,marker=NULL",
      "2|user-1||source=weir-cli,marker=NULL",
    ]);
  });

  test("--file, --partition, --acks 1 and a tab separator; --output json summarises per partition", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-cli-produce-"));
    try {
      const file = join(dir, "records.tsv");
      writeFileSync(file, "a\tone\r\nb\ttwo\n");
      const r = await runWeir([
        "produce",
        "spread",
        "--file",
        file,
        "-K",
        "\\t",
        "--partition",
        "1",
        "--acks",
        "1",
        "--output",
        "json",
        ...b,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { topic: string; records: number; partitions: unknown[] };
      assert.equal(summary.topic, "spread");
      assert.equal(summary.records, 2);
      assert.deepEqual(summary.partitions, [{ partition: 1, records: 2, firstOffset: 0, lastOffset: 1 }]);
      assert.deepEqual(
        storedRecords(broker.dataDir, "spread", 1).map((s) => [s.key, s.value]),
        [
          ["a", "one"],
          ["b", "two"],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a line without the key separator stops with exit 1 naming the line", async () => {
    const r = await runWeir(["produce", "events", "-K", "=", ...b], {
      input: "k=v\nno separator here\nk=w\n",
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 2 has no key separator "="/);
  });

  test("an unknown topic, or a partition it lacks, exits 1 with a hint how to create it", async () => {
    const missing = await runWeir(["produce", "nowhere", ...b], { input: "x\n" });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
    assert.match(missing.stderr, /^hint: create it first: weir topics create nowhere/m);
    const partition = await runWeir(["produce", "events", "-p", "4", ...b], { input: "x\n" });
    assert.equal(partition.code, 1);
    assert.match(partition.stderr, /partition 4 does not exist/);
  });

  test("bad producer flags are usage errors (exit 2)", async () => {
    const codec = await runWeir(["produce", "events", "--compression", "brotli", ...b]);
    assert.equal(codec.code, 2);
    assert.match(codec.stderr, /--compression must be one of none, gzip, snappy, lz4, zstd/);
    const property = await runWeir(["produce", "events", "-X", "linger.ms=soon", ...b], { input: "x\n" });
    assert.equal(property.code, 2);
    assert.match(property.stderr, /linger\.ms/);
  });
});
