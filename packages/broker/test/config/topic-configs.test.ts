import assert from "node:assert/strict";
import { test } from "node:test";
import { BROKER_CONFIG_NAMES, brokerConfigDefinition } from "../../src/config/broker-configs.js";
import { parseConfigValue } from "../../src/config/config-definition.js";
import { resolveTopicConfig } from "../../src/config/effective-config.js";
import { TOPIC_CONFIG_NAMES, topicConfigDefinition } from "../../src/config/topic-configs.js";

test("every built-in default parses and validates against its own definition", () => {
  for (const name of TOPIC_CONFIG_NAMES) {
    const def = topicConfigDefinition(name)!;
    assert.equal(def.name, name);
    assert.ok(def.default !== null, `${name} has a default`);
    const r = parseConfigValue(def, def.default!);
    assert.ok(r.ok, `${name}: ${r.ok ? "" : r.message}`);
    assert.ok(def.doc.length > 10, `${name} is documented`);
  }
  for (const name of BROKER_CONFIG_NAMES) {
    const def = brokerConfigDefinition(name)!;
    assert.equal(def.name, name);
    if (def.default !== null) {
      const r = parseConfigValue(def, def.default);
      assert.ok(r.ok, `${name}: ${r.ok ? "" : r.message}`);
    }
    assert.ok(def.doc.length > 10, `${name} is documented`);
  }
});

test("every topic config's broker synonyms exist, and the topic default equals the broker default", () => {
  for (const name of TOPIC_CONFIG_NAMES) {
    const def = topicConfigDefinition(name)!;
    for (const syn of def.synonyms) {
      assert.ok(brokerConfigDefinition(syn.name), `${name} falls back to unknown broker config ${syn.name}`);
    }
    // With no override and nothing in server.properties, the effective value is the topic
    // default; it must agree with what the broker defaults say (converted to the topic's unit).
    const entry = resolveTopicConfig(name, {})!;
    assert.equal(entry.source, "DEFAULT_CONFIG");
    const firstWithDefault = def.synonyms.find((s) => brokerConfigDefinition(s.name)!.default !== null);
    if (firstWithDefault !== undefined) {
      const brokerDefault = brokerConfigDefinition(firstWithDefault.name)!.default!;
      const factor =
        firstWithDefault.converter === "hoursToMs"
          ? 3_600_000n
          : firstWithDefault.converter === "minutesToMs"
            ? 60_000n
            : 1n;
      const expected = factor === 1n ? brokerDefault : (BigInt(brokerDefault) * factor).toString();
      assert.equal(def.default, expected, `${name} default vs ${firstWithDefault.name}`);
    }
  }
});

test("Kafka's fallback chains", () => {
  assert.deepEqual(
    topicConfigDefinition("retention.ms")!.synonyms.map((s) => s.name),
    ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
  );
  assert.deepEqual(
    topicConfigDefinition("segment.ms")!.synonyms.map((s) => s.name),
    ["log.roll.ms", "log.roll.hours"],
  );
  assert.deepEqual(
    topicConfigDefinition("segment.bytes")!.synonyms.map((s) => s.name),
    ["log.segment.bytes"],
  );
  assert.deepEqual(
    topicConfigDefinition("flush.messages")!.synonyms.map((s) => s.name),
    ["log.flush.interval.messages"],
  );
  assert.deepEqual(
    topicConfigDefinition("cleanup.policy")!.synonyms.map((s) => s.name),
    ["log.cleanup.policy"],
  );
  assert.deepEqual(
    topicConfigDefinition("max.message.bytes")!.synonyms.map((s) => s.name),
    ["message.max.bytes"],
  );
});

test("Weir's flush default (1) is documented on both levels; Kafka's other defaults are kept", () => {
  assert.equal(topicConfigDefinition("flush.messages")!.default, "1");
  assert.equal(brokerConfigDefinition("log.flush.interval.messages")!.default, "1");
  assert.match(brokerConfigDefinition("log.flush.interval.messages")!.doc, /fsync/);
  assert.match(brokerConfigDefinition("log.flush.interval.messages")!.doc, /group commit/);
  assert.equal(topicConfigDefinition("max.message.bytes")!.default, "1048588");
  assert.equal(topicConfigDefinition("retention.ms")!.default, "604800000");
  assert.equal(topicConfigDefinition("segment.bytes")!.default, "1073741824");
  assert.equal(topicConfigDefinition("cleanup.policy")!.default, "delete");
  assert.equal(topicConfigDefinition("message.timestamp.type")!.default, "CreateTime");
});
