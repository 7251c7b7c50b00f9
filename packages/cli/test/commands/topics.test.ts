import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

describe("weir topics", () => {
  let broker: TestBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker();
    b = ["--bootstrap-server", broker.bootstrap];
  });
  after(() => broker.destroy());

  test("create, list, describe, alter, describe, delete", async () => {
    const created = await runWeir([
      "topics",
      "create",
      "orders",
      "--partitions",
      "3",
      "-c",
      "retention.ms=3600000",
      ...b,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created topic orders \(3 partitions, replication factor 1\)/);

    const listed = await runWeir(["topics", "list", ...b]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^TOPIC\s+PARTITIONS\s+REPLICAS$/m);
    assert.match(listed.stdout, /^orders\s+3\s+1$/m);

    const described = await runWeir(["topics", "describe", "orders", ...b]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^partitions\s+3$/m);
    for (const p of [0, 1, 2])
      assert.match(described.stdout, new RegExp(`^\\s*${p}\\s+1\\s+1\\s+1\\s+-\\s+0\\s+0$`, "m"));
    assert.match(described.stdout, /^retention\.ms\s+3600000\s+DYNAMIC_TOPIC_CONFIG$/m);

    const altered = await runWeir([
      "topics",
      "alter",
      "orders",
      "--partitions",
      "5",
      "--config",
      "cleanup.policy=compact",
      "--delete-config",
      "retention.ms",
      ...b,
    ]);
    assert.equal(altered.code, 0, altered.stderr);
    assert.match(altered.stdout, /partitions 3 -> 5; set cleanup\.policy=compact; deleted retention\.ms/);

    const json = await runWeir(["topics", "describe", "orders", "--output", "json", ...b]);
    assert.equal(json.code, 0, json.stderr);
    const [orders] = JSON.parse(json.stdout) as {
      name: string;
      partitions: { partition: number; leader: number; startOffset: number; endOffset: number }[];
      configs: { name: string; value: string; source: string }[];
    }[];
    assert.equal(orders.name, "orders");
    assert.deepEqual(
      orders.partitions.map((p) => p.partition),
      [0, 1, 2, 3, 4],
    );
    assert.ok(orders.partitions.every((p) => p.leader === broker.nodeId && p.endOffset === 0));
    assert.deepEqual(
      orders.configs.filter((c) => c.source === "DYNAMIC_TOPIC_CONFIG").map((c) => [c.name, c.value]),
      [["cleanup.policy", "compact"]],
    );

    const deleted = await runWeir(["topics", "delete", "orders", ...b]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /Deleted topic orders\./);
    const listedJson = await runWeir(["topics", "list", "--output", "json", ...b]);
    assert.deepEqual(JSON.parse(listedJson.stdout), []);
  });

  test("--if-not-exists and --if-exists make create and delete idempotent; JSON says what happened", async () => {
    const first = await runWeir(["topics", "create", "twice", "-p", "2", ...b]);
    assert.equal(first.code, 0, first.stderr);
    const again = await runWeir(["topics", "create", "twice", ...b]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /TOPIC_ALREADY_EXISTS/);
    assert.match(again.stderr, /^hint: .*--if-not-exists/m);
    const tolerated = await runWeir([
      "topics",
      "create",
      "twice",
      "fresh",
      "--if-not-exists",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(tolerated.code, 0, tolerated.stderr);
    const results = JSON.parse(tolerated.stdout) as { name: string; created: boolean }[];
    assert.deepEqual(results.map((r) => [r.name, r.created]).sort(), [
      ["fresh", true],
      ["twice", false],
    ]);
    const removed = await runWeir([
      "topics",
      "delete",
      "twice",
      "fresh",
      "ghost",
      "--if-exists",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse(removed.stdout), { deleted: ["twice", "fresh"], missing: ["ghost"] });
  });

  test("describing an unknown topic exits 1 naming UNKNOWN_TOPIC_OR_PARTITION, with a hint", async () => {
    const r = await runWeir(["topics", "describe", "no-such-topic", ...b]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^weir: .*no-such-topic.*UNKNOWN_TOPIC_OR_PARTITION/m);
    assert.match(r.stderr, /^hint: .*weir topics list/m);
  });

  test("errors from the broker keep Kafka's name: a bad config, a partition count that shrinks", async () => {
    const badConfig = await runWeir(["topics", "create", "bad", "-c", "retention.ms=soon", ...b]);
    assert.equal(badConfig.code, 1);
    assert.match(badConfig.stderr, /INVALID_CONFIG/);
    await runWeir(["topics", "create", "shrink", "-p", "2", ...b]);
    const shrink = await runWeir(["topics", "alter", "shrink", "-p", "1", ...b]);
    assert.equal(shrink.code, 1);
    assert.match(shrink.stderr, /INVALID_PARTITIONS/);
    assert.match(shrink.stderr, /^hint: .*only raise/m);
  });
});
