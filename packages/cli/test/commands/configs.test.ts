import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runWeir } from "../support/run-weir.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

interface ConfigsJson {
  type: string;
  name: string;
  configs: { name: string; value: string | null; source: string; readOnly: boolean }[];
}

describe("weir configs", () => {
  let broker: TestBroker;
  let b: string[];
  before(async () => {
    broker = await startTestBroker();
    b = ["--bootstrap-server", broker.bootstrap];
    const r = await runWeir(["topics", "create", "settings", "-p", "1", ...b]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => broker.destroy());

  test("a topic: only overrides by default, --all and --key for defaults; alter sets and deletes", async () => {
    const none = await runWeir(["configs", "describe", "topic", "settings", ...b]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /has its default value/);

    const set = await runWeir([
      "configs",
      "alter",
      "topic",
      "settings",
      "--set",
      "retention.ms=60000",
      "--set",
      "cleanup.policy=compact,delete",
      ...b,
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(
      set.stdout,
      /Altered topic settings: set retention\.ms=60000; set cleanup\.policy=compact,delete\./,
    );

    const shown = await runWeir(["configs", "describe", "topic", "settings", ...b]);
    assert.match(shown.stdout, /^CONFIG\s+VALUE\s+SOURCE\s+READ-ONLY$/m);
    assert.match(shown.stdout, /^cleanup\.policy\s+compact,delete\s+DYNAMIC_TOPIC_CONFIG\s+no$/m);
    assert.match(shown.stdout, /^retention\.ms\s+60000\s+DYNAMIC_TOPIC_CONFIG\s+no$/m);

    await runWeir([
      "configs",
      "alter",
      "topic",
      "settings",
      "--delete",
      "retention.ms",
      "--subtract",
      "cleanup.policy=delete",
      ...b,
    ]);
    const json = await runWeir([
      "configs",
      "describe",
      "topics",
      "settings",
      "--key",
      "retention.ms",
      "--key",
      "cleanup.policy",
      "--output",
      "json",
      ...b,
    ]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as ConfigsJson;
    assert.equal(parsed.type, "topic");
    assert.deepEqual(
      parsed.configs.map((c) => [c.name, c.value, c.source]),
      [
        ["cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG"],
        ["retention.ms", "604800000", "DEFAULT_CONFIG"],
      ],
    );

    const all = await runWeir([
      "configs",
      "describe",
      "topic",
      "settings",
      "--all",
      "--output",
      "json",
      ...b,
    ]);
    assert.ok((JSON.parse(all.stdout) as ConfigsJson).configs.some((c) => c.name === "max.message.bytes"));
  });

  test("a broker and the cluster-wide broker defaults", async () => {
    const id = String(broker.nodeId);
    const altered = await runWeir([
      "configs",
      "alter",
      "broker",
      id,
      "-s",
      "message.max.bytes=2000000",
      ...b,
    ]);
    assert.equal(altered.code, 0, altered.stderr);
    const shown = await runWeir(["configs", "describe", "broker", id, "--output", "json", ...b]);
    assert.equal(shown.code, 0, shown.stderr);
    const entry = (JSON.parse(shown.stdout) as ConfigsJson).configs.find(
      (c) => c.name === "message.max.bytes",
    );
    assert.deepEqual([entry?.value, entry?.source], ["2000000", "DYNAMIC_BROKER_CONFIG"]);

    const defaults = await runWeir([
      "configs",
      "alter",
      "broker-defaults",
      "-s",
      "min.insync.replicas=1",
      ...b,
    ]);
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.match(defaults.stdout, /Altered broker defaults: set min\.insync\.replicas=1\./);
    const table = await runWeir(["configs", "describe", "broker-defaults", ...b]);
    assert.match(table.stdout, /^min\.insync\.replicas\s+1\s+DYNAMIC_DEFAULT_BROKER_CONFIG\s+no$/m);
  });

  test("mistakes: unknown type and missing change are usage errors; an unknown broker or config fails", async () => {
    const type = await runWeir(["configs", "describe", "table", "x", ...b]);
    assert.equal(type.code, 2);
    assert.match(type.stderr, /unknown resource type 'table'/);
    const nothing = await runWeir(["configs", "alter", "topic", "settings", ...b]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /nothing to change/);
    const ghost = await runWeir(["configs", "describe", "broker", "99", ...b]);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /broker 99 is not in the cluster/);
    const bogus = await runWeir(["configs", "alter", "topic", "settings", "-s", "no.such.config=1", ...b]);
    assert.equal(bogus.code, 1);
    assert.match(bogus.stderr, /INVALID_CONFIG/);
  });
});
