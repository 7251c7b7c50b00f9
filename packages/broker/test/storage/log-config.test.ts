import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveLogConfig } from "../../src/config/effective-config.js";
import {
  DEFAULT_LOG_CONFIG,
  isCompacted,
  isDurableAckPolicy,
  LONG_MAX,
  toLogConfig,
} from "../../src/storage/log-config.js";

describe("LogConfig", () => {
  it("has the config table's defaults (Kafka's, with durable flushing)", () => {
    assert.deepEqual(
      { ...DEFAULT_LOG_CONFIG },
      {
        segmentBytes: 1073741824,
        segmentMs: 604800000,
        segmentIndexBytes: 10485760,
        indexIntervalBytes: 4096,
        retentionMs: 604800000,
        retentionBytes: -1,
        flushMessages: 1,
        flushMs: LONG_MAX,
        maxMessageBytes: 1048588,
        messageTimestampType: "CreateTime",
        fileDeleteDelayMs: 60000,
        cleanupPolicy: ["delete"],
        deleteRetentionMs: 86400000,
        minCompactionLagMs: 0,
        maxCompactionLagMs: LONG_MAX,
        minCleanableDirtyRatio: 0.5,
      },
    );
    assert.equal(isDurableAckPolicy(DEFAULT_LOG_CONFIG), true);
    assert.equal(isCompacted(DEFAULT_LOG_CONFIG), false);
  });

  it("maps topic overrides and broker synonyms resolved by the config table", () => {
    const config = toLogConfig(
      resolveLogConfig({
        topicOverrides: new Map([
          ["segment.bytes", "2097152"],
          ["message.timestamp.type", "LogAppendTime"],
          ["cleanup.policy", "compact,delete"],
          ["flush.messages", "9223372036854775807"],
          ["min.cleanable.dirty.ratio", "0.1"],
        ]),
        staticBrokerConfigs: new Map([
          ["log.retention.hours", "2"],
          ["log.cleaner.delete.retention.ms", "1000"],
        ]),
      }),
    );
    assert.equal(config.segmentBytes, 2097152);
    assert.equal(config.retentionMs, 7_200_000);
    assert.equal(config.messageTimestampType, "LogAppendTime");
    assert.deepEqual(config.cleanupPolicy, ["compact", "delete"]);
    assert.equal(isCompacted(config), true);
    assert.equal(isDurableAckPolicy(config), false);
    assert.equal(config.minCleanableDirtyRatio, 0.1);
    assert.equal(config.deleteRetentionMs, 1000);
  });
});
