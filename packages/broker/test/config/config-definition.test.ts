import assert from "node:assert/strict";
import { test } from "node:test";
import { BROKER_CONFIGS } from "../../src/config/broker-configs.js";
import {
  CONFIG_SOURCE_IDS,
  CONFIG_TYPE_IDS,
  describeExpected,
  parseConfigValue,
  splitList,
} from "../../src/config/config-definition.js";
import { TOPIC_CONFIGS } from "../../src/config/topic-configs.js";

test("DescribeConfigs type and source ids match Kafka's", () => {
  assert.deepEqual(CONFIG_TYPE_IDS, {
    BOOLEAN: 1,
    STRING: 2,
    INT: 3,
    SHORT: 4,
    LONG: 5,
    DOUBLE: 6,
    LIST: 7,
    CLASS: 8,
    PASSWORD: 9,
  });
  assert.equal(CONFIG_SOURCE_IDS.DYNAMIC_TOPIC_CONFIG, 1);
  assert.equal(CONFIG_SOURCE_IDS.DYNAMIC_BROKER_CONFIG, 2);
  assert.equal(CONFIG_SOURCE_IDS.DYNAMIC_DEFAULT_BROKER_CONFIG, 3);
  assert.equal(CONFIG_SOURCE_IDS.STATIC_BROKER_CONFIG, 4);
  assert.equal(CONFIG_SOURCE_IDS.DEFAULT_CONFIG, 5);
  assert.equal(CONFIG_SOURCE_IDS.DYNAMIC_BROKER_LOGGER_CONFIG, 6);
});

test("typed parsing trims like Kafka's ConfigDef", () => {
  assert.deepEqual(parseConfigValue(BROKER_CONFIGS["num.partitions"], " 12 "), { ok: true, value: 12 });
  assert.deepEqual(parseConfigValue(BROKER_CONFIGS["auto.create.topics.enable"], "FALSE"), {
    ok: true,
    value: false,
  });
  assert.deepEqual(parseConfigValue(TOPIC_CONFIGS["cleanup.policy"], " compact , delete "), {
    ok: true,
    value: ["compact", "delete"],
  });
  assert.deepEqual(parseConfigValue(TOPIC_CONFIGS["min.cleanable.dirty.ratio"], "0.25"), {
    ok: true,
    value: 0.25,
  });
  assert.deepEqual(parseConfigValue(TOPIC_CONFIGS["retention.ms"], "-1"), { ok: true, value: -1 });
  const max = parseConfigValue(TOPIC_CONFIGS["flush.ms"], "9223372036854775807");
  assert.ok(max.ok && max.value > 9e18);
});

test("errors name the key, the value and the expected type", () => {
  const cases: [Parameters<typeof parseConfigValue>[0], string, RegExp][] = [
    [BROKER_CONFIGS["num.partitions"], "many", /Invalid value many for configuration num.partitions: .*INT/],
    [BROKER_CONFIGS["num.partitions"], "2147483648", /num.partitions.*INT/],
    [BROKER_CONFIGS["num.partitions"], "0", /Value must be at least 1/],
    [TOPIC_CONFIGS["retention.ms"], "1.5", /retention.ms: Not a number of type LONG/],
    [TOPIC_CONFIGS["retention.ms"], "99999999999999999999", /LONG/],
    [TOPIC_CONFIGS["retention.ms"], "-2", /at least -1/],
    [TOPIC_CONFIGS.preallocate, "yes", /preallocate: Expected value to be either true or false/],
    [
      TOPIC_CONFIGS["compression.type"],
      "brotli",
      /String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer/,
    ],
    [
      TOPIC_CONFIGS["cleanup.policy"],
      "compact,forever",
      /cleanup.policy: Each element must be one of: compact, delete/,
    ],
    [TOPIC_CONFIGS["min.cleanable.dirty.ratio"], "1.5", /no more than 1/],
    [TOPIC_CONFIGS["min.cleanable.dirty.ratio"], "half", /DOUBLE/],
    [TOPIC_CONFIGS["compression.gzip.level"], "0", /-1 or between 1 and 9/],
    [TOPIC_CONFIGS["segment.bytes"], "1000", /at least 1048576/],
    [TOPIC_CONFIGS["follower.replication.throttled.replicas"], "0:1,x", /partitionId/],
  ];
  for (const [def, raw, pattern] of cases) {
    const r = parseConfigValue(def, raw);
    assert.equal(r.ok, false, `${def.name}=${raw} should be invalid`);
    if (!r.ok) assert.match(r.message, pattern);
  }
  assert.ok(parseConfigValue(TOPIC_CONFIGS["follower.replication.throttled.replicas"], "*").ok);
  assert.ok(parseConfigValue(TOPIC_CONFIGS["follower.replication.throttled.replicas"], "0:1,1:2").ok);
});

test("splitList and describeExpected", () => {
  assert.deepEqual(splitList(""), []);
  assert.deepEqual(splitList("  "), []);
  assert.deepEqual(splitList("a, b ,c"), ["a", "b", "c"]);
  assert.equal(describeExpected(TOPIC_CONFIGS["retention.ms"]), "LONG >= -1");
  assert.equal(describeExpected(TOPIC_CONFIGS["message.timestamp.type"]), "one of CreateTime, LogAppendTime");
});
