import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ConfigLayers,
  resolveBrokerConfigs,
  resolveLogConfig,
  resolveTopicConfig,
  resolveTopicConfigs,
} from "../../src/config/effective-config.js";
import { TOPIC_CONFIG_NAMES } from "../../src/config/topic-configs.js";

const map = (o: Record<string, string>) => new Map(Object.entries(o));

test("with nothing set every topic config is DEFAULT_CONFIG with Kafka's type ids and docs", () => {
  const all = resolveTopicConfigs({});
  assert.equal(all.length, TOPIC_CONFIG_NAMES.length);
  assert.deepEqual(
    all.map((e) => e.name),
    [...all.map((e) => e.name)].sort(),
  );
  const retention = all.find((e) => e.name === "retention.ms")!;
  assert.deepEqual(
    { ...retention, synonyms: undefined, documentation: undefined },
    {
      name: "retention.ms",
      value: "604800000",
      source: "DEFAULT_CONFIG",
      sourceId: 5,
      isSensitive: false,
      readOnly: false,
      type: "LONG",
      typeId: 5,
      documentation: undefined,
      synonyms: undefined,
    },
  );
  assert.ok(retention.documentation.length > 0);
  assert.equal(all.find((e) => e.name === "cleanup.policy")!.typeId, 7);
  assert.equal(all.find((e) => e.name === "preallocate")!.typeId, 1);
  assert.equal(all.find((e) => e.name === "min.cleanable.dirty.ratio")!.typeId, 6);
  assert.equal(all.find((e) => e.name === "compression.type")!.typeId, 2);
  assert.equal(all.find((e) => e.name === "segment.bytes")!.typeId, 3);
});

test("each layer wins over the ones below it, with its source id", () => {
  const layers: ConfigLayers = {
    staticBrokerConfigs: map({
      "log.retention.hours": "24",
      "log.segment.bytes": "2097152",
      "log.cleanup.policy": "compact",
    }),
    dynamicDefaultBrokerConfigs: map({ "log.segment.bytes": "3145728", "message.max.bytes": "2000000" }),
    dynamicBrokerConfigs: map({ "message.max.bytes": "3000000" }),
    topicOverrides: map({ "cleanup.policy": "compact,delete" }),
  };
  const get = (name: string) => resolveTopicConfig(name, layers)!;
  assert.deepEqual(
    [get("retention.ms").value, get("retention.ms").source, get("retention.ms").sourceId],
    ["86400000", "STATIC_BROKER_CONFIG", 4],
  );
  assert.deepEqual(
    [get("segment.bytes").value, get("segment.bytes").source],
    ["3145728", "DYNAMIC_DEFAULT_BROKER_CONFIG"],
  );
  assert.equal(get("segment.bytes").sourceId, 3);
  assert.deepEqual(
    [get("max.message.bytes").value, get("max.message.bytes").source],
    ["3000000", "DYNAMIC_BROKER_CONFIG"],
  );
  assert.equal(get("max.message.bytes").sourceId, 2);
  assert.deepEqual(
    [get("cleanup.policy").value, get("cleanup.policy").source],
    ["compact,delete", "DYNAMIC_TOPIC_CONFIG"],
  );
  assert.equal(get("cleanup.policy").sourceId, 1);
  assert.deepEqual([get("segment.ms").value, get("segment.ms").source], ["604800000", "DEFAULT_CONFIG"]);
  assert.equal(resolveTopicConfig("no.such.config", layers), undefined);
});

test("synonyms list every layer that has a value, highest priority first", () => {
  const entry = resolveTopicConfig("retention.ms", {
    topicOverrides: map({ "retention.ms": "1000" }),
    staticBrokerConfigs: map({ "log.retention.minutes": "5", "log.retention.hours": "2" }),
  })!;
  assert.equal(entry.value, "1000");
  assert.deepEqual(
    entry.synonyms.map((s) => [s.name, s.value, s.source]),
    [
      ["retention.ms", "1000", "DYNAMIC_TOPIC_CONFIG"],
      ["log.retention.minutes", "5", "STATIC_BROKER_CONFIG"],
      ["log.retention.hours", "2", "STATIC_BROKER_CONFIG"],
      ["log.retention.hours", "168", "DEFAULT_CONFIG"],
    ],
  );
  // minutes beat hours when the topic has no override
  assert.equal(
    resolveTopicConfig("retention.ms", {
      staticBrokerConfigs: map({ "log.retention.minutes": "5", "log.retention.hours": "2" }),
    })!.value,
    "300000",
  );
});

test("an invalid stored value is skipped, never a crash", () => {
  const entry = resolveTopicConfig("segment.bytes", {
    topicOverrides: map({ "segment.bytes": "tiny" }),
    staticBrokerConfigs: map({ "log.segment.bytes": "2097152" }),
  })!;
  assert.equal(entry.value, "2097152");
  assert.equal(entry.source, "STATIC_BROKER_CONFIG");
});

test("resolveLogConfig gives typed values for the storage engine", () => {
  const log = resolveLogConfig({
    staticBrokerConfigs: map({ "log.roll.hours": "1", "log.flush.interval.messages": "1000" }),
    topicOverrides: map({
      "cleanup.policy": "compact",
      preallocate: "true",
      "min.cleanable.dirty.ratio": "0.1",
    }),
  });
  assert.deepEqual(log["cleanup.policy"], ["compact"]);
  assert.equal(log.preallocate, true);
  assert.equal(log["segment.ms"], 3_600_000);
  assert.equal(log["flush.messages"], 1000);
  assert.equal(log["min.cleanable.dirty.ratio"], 0.1);
  assert.equal(log["retention.ms"], 604_800_000);
  assert.equal(log["compression.type"], "producer");
  assert.ok(log["flush.ms"] > 9e18);
  assert.equal(resolveLogConfig({})["flush.messages"], 1);
});

test("broker configs: dynamic > cluster default > static > default; non-dynamic ones are read-only", () => {
  const entries = resolveBrokerConfigs(
    {
      dynamicBrokerConfigs: map({ "message.max.bytes": "5" }),
      dynamicDefaultBrokerConfigs: map({ "message.max.bytes": "6", "log.retention.ms": "7" }),
      staticBrokerConfigs: map({ "num.partitions": "3", "log.retention.ms": "8" }),
    },
    ["message.max.bytes", "log.retention.ms", "num.partitions", "log.retention.minutes", "unknown.key"],
  );
  assert.deepEqual(
    entries.map((e) => [e.name, e.value, e.source, e.readOnly]),
    [
      ["log.retention.minutes", null, "DEFAULT_CONFIG", true],
      ["log.retention.ms", "7", "DYNAMIC_DEFAULT_BROKER_CONFIG", false],
      ["message.max.bytes", "5", "DYNAMIC_BROKER_CONFIG", false],
      ["num.partitions", "3", "STATIC_BROKER_CONFIG", true],
    ],
  );
});
