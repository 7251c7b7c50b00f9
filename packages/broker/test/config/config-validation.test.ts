import assert from "node:assert/strict";
import { test } from "node:test";
import { brokerConfigDefinition } from "../../src/config/broker-configs.js";
import {
  ALTER_CONFIG_OP_IDS,
  type AlterConfigOp,
  applyAlterConfigOps,
  validateBrokerConfigs,
  validateTopicConfigs,
} from "../../src/config/config-validation.js";
import { topicConfigDefinition } from "../../src/config/topic-configs.js";

const map = (o: Record<string, string | null>) => new Map(Object.entries(o));

test("valid topic configs pass", () => {
  assert.deepEqual(
    validateTopicConfigs(
      map({ "cleanup.policy": "compact,delete", "retention.ms": "-1", "max.message.bytes": "10" }),
    ),
    { ok: true },
  );
});

test("topic config errors are INVALID_CONFIG with Kafka's messages", () => {
  const cases: [Record<string, string | null>, RegExp][] = [
    [{ "retention.mss": "1" }, /^Unknown topic config name: retention\.mss$/],
    [
      { "retention.ms": null, "segment.ms": null },
      /^Null value not supported for topic configs: retention\.ms,segment\.ms$/,
    ],
    [{ "retention.ms": "soon" }, /Invalid value soon for configuration retention\.ms/],
    [{ "compression.type": "brotli" }, /compression\.type/],
    [{ "cleanup.policy": "compact,forever" }, /cleanup\.policy/],
    [{ "min.insync.replicas": "0" }, /at least 1/],
    [{ "remote.storage.enable": "true" }, /Tiered storage is not supported/],
    [
      { "min.compaction.lag.ms": "100", "max.compaction.lag.ms": "10" },
      /conflict topic config setting min\.compaction\.lag\.ms \(100\) > max\.compaction\.lag\.ms \(10\)/,
    ],
  ];
  for (const [configs, pattern] of cases) {
    const r = validateTopicConfigs(map(configs));
    assert.equal(r.ok, false, JSON.stringify(configs));
    if (!r.ok) {
      assert.equal(r.error, "INVALID_CONFIG");
      assert.match(r.message, pattern);
    }
  }
});

test("cross-field rules use the broker layers too", () => {
  const r = validateTopicConfigs(map({ "min.compaction.lag.ms": "100" }), {
    staticBrokerConfigs: new Map([["log.cleaner.max.compaction.lag.ms", "50"]]),
  });
  assert.equal(r.ok, false);
});

const topicDefs = topicConfigDefinition;

test("incremental SET and DELETE", () => {
  const current = new Map([
    ["retention.ms", "1000"],
    ["segment.ms", "2000"],
  ]);
  const r = applyAlterConfigOps(
    current,
    [
      { name: "retention.ms", op: "SET", value: "5000" },
      { name: "segment.ms", op: "DELETE", value: null },
      { name: "not.there", op: "DELETE", value: null },
    ],
    topicDefs,
  );
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual([...r.configs], [["retention.ms", "5000"]]);
  assert.deepEqual(
    [...current],
    [
      ["retention.ms", "1000"],
      ["segment.ms", "2000"],
    ],
    "input is not modified",
  );
});

test("APPEND and SUBTRACT on cleanup.policy start from the override, else the default", () => {
  const apply = (current: Record<string, string>, ops: AlterConfigOp[]) => {
    const r = applyAlterConfigOps(new Map(Object.entries(current)), ops, topicDefs);
    assert.ok(r.ok, r.ok ? "" : r.message);
    return r.ok ? r.configs.get("cleanup.policy") : undefined;
  };
  assert.equal(apply({}, [{ name: "cleanup.policy", op: "APPEND", value: "compact" }]), "delete,compact");
  assert.equal(
    apply({ "cleanup.policy": "compact" }, [{ name: "cleanup.policy", op: "APPEND", value: "compact" }]),
    "compact",
  );
  assert.equal(
    apply({ "cleanup.policy": "compact" }, [
      { name: "cleanup.policy", op: "APPEND", value: "delete,compact" },
    ]),
    "compact,delete",
  );
  assert.equal(
    apply({ "cleanup.policy": "compact,delete" }, [
      { name: "cleanup.policy", op: "SUBTRACT", value: "delete" },
    ]),
    "compact",
  );
  assert.equal(apply({}, [{ name: "cleanup.policy", op: "SUBTRACT", value: "delete" }]), "");
  assert.equal(apply({}, [{ name: "cleanup.policy", op: "SUBTRACT", value: "compact" }]), "delete");
});

test("incremental errors: APPEND to a non-list, duplicate keys, null values", () => {
  const r1 = applyAlterConfigOps(new Map(), [{ name: "retention.ms", op: "APPEND", value: "1" }], topicDefs);
  assert.deepEqual(r1, {
    ok: false,
    error: "INVALID_CONFIG",
    message: "Can't APPEND to key retention.ms because its type is not LIST.",
  });
  const r2 = applyAlterConfigOps(new Map(), [{ name: "nope", op: "SUBTRACT", value: "1" }], topicDefs);
  assert.equal(r2.ok, false);
  const r3 = applyAlterConfigOps(
    new Map(),
    [
      { name: "retention.ms", op: "SET", value: "1" },
      { name: "retention.ms", op: "DELETE", value: null },
    ],
    topicDefs,
  );
  assert.deepEqual(r3, {
    ok: false,
    error: "INVALID_REQUEST",
    message: "Error due to duplicate config keys",
  });
  const r4 = applyAlterConfigOps(new Map(), [{ name: "retention.ms", op: "SET", value: null }], topicDefs);
  assert.deepEqual(r4, {
    ok: false,
    error: "INVALID_REQUEST",
    message: "Null value not supported for : retention.ms",
  });
  assert.deepEqual(ALTER_CONFIG_OP_IDS, { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 });
});

test("broker dynamic configs: read-only keys refused, values validated, unknown keys kept", () => {
  assert.deepEqual(
    validateBrokerConfigs(
      new Map([
        ["log.retention.ms", "1000"],
        ["custom.plugin.x", "y"],
      ]),
    ),
    { ok: true },
  );
  assert.deepEqual(
    validateBrokerConfigs(
      new Map([
        ["num.partitions", "3"],
        ["listeners", "x"],
      ]),
    ),
    {
      ok: false,
      error: "INVALID_REQUEST",
      message: "Cannot update these configs dynamically: listeners, num.partitions",
    },
  );
  const bad = validateBrokerConfigs(new Map([["message.max.bytes", "big"]]));
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error, "INVALID_REQUEST");
    assert.match(bad.message, /message\.max\.bytes/);
  }
  const appended = applyAlterConfigOps(
    new Map(),
    [{ name: "log.cleanup.policy", op: "APPEND", value: "compact" }],
    brokerConfigDefinition,
  );
  assert.ok(appended.ok && appended.configs.get("log.cleanup.policy") === "delete,compact");
});
