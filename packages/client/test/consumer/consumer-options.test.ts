import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientLayer, resolveConsumerConfig } from "../../src/config/resolve-config.js";
import {
  COOPERATIVE_STICKY_ASSIGNOR,
  RANGE_ASSIGNOR,
  ROUND_ROBIN_ASSIGNOR,
} from "../../src/consumer/group/assignors.js";
import { ConfigError } from "../../src/errors.js";

const client = clientLayer({ bootstrapServers: ["localhost:9092"] });

describe("consumer options", () => {
  it("fill in the Java client's defaults", () => {
    const c = resolveConsumerConfig(client, { groupId: "g" });
    assert.equal(c.groupId, "g");
    assert.equal(c.groupInstanceId, null);
    assert.equal(c.groupProtocol, "classic");
    assert.equal(c.sessionTimeoutMs, 45_000);
    assert.equal(c.heartbeatIntervalMs, 3_000);
    assert.equal(c.maxPollIntervalMs, 300_000);
    assert.equal(c.maxPollRecords, 500);
    assert.equal(c.autoOffsetReset, "latest");
    assert.equal(c.enableAutoCommit, true);
    assert.equal(c.autoCommitIntervalMs, 5_000);
    assert.deepEqual(c.partitionAssignmentStrategy, [RANGE_ASSIGNOR, COOPERATIVE_STICKY_ASSIGNOR]);
    assert.equal(c.fetchMaxBytes, 52_428_800);
    assert.equal(c.maxPartitionFetchBytes, 1_048_576);
    assert.equal(c.fetchMaxWaitMs, 500);
    assert.equal(c.isolationLevel, "read_uncommitted");
    assert.equal(c.defaultApiTimeoutMs, 60_000);
  });

  it("take Kafka property names and Java assignor class names", () => {
    const c = resolveConsumerConfig(client, {
      properties: {
        "group.id": "g",
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
        "max.poll.records": "7",
        "partition.assignment.strategy":
          "org.apache.kafka.clients.consumer.RoundRobinAssignor, org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        "group.protocol": "consumer",
      },
    });
    assert.equal(c.autoOffsetReset, "earliest");
    assert.equal(c.isolationLevel, "read_committed");
    assert.equal(c.maxPollRecords, 7);
    assert.equal(c.groupProtocol, "consumer");
    assert.deepEqual(c.partitionAssignmentStrategy, [ROUND_ROBIN_ASSIGNOR, COOPERATIVE_STICKY_ASSIGNOR]);
  });

  it("turn auto commit off without a group, and refuse contradictions", () => {
    assert.equal(resolveConsumerConfig(client).enableAutoCommit, false);
    assert.throws(
      () => resolveConsumerConfig(client, { enableAutoCommit: true }),
      /enable.auto.commit needs a group.id/,
    );
    assert.throws(
      () => resolveConsumerConfig(client, { groupInstanceId: "i" }),
      /group.instance.id needs a group.id/,
    );
    assert.throws(
      () =>
        resolveConsumerConfig(client, { groupId: "g", heartbeatIntervalMs: 10_000, sessionTimeoutMs: 6_000 }),
      (err) => err instanceof ConfigError && /heartbeat.interval.ms/.test(err.message),
    );
    assert.throws(
      () => resolveConsumerConfig(client, { autoOffsetReset: "smallest" as never }),
      /earliest, latest, none/,
    );
    assert.throws(
      () => resolveConsumerConfig(client, { partitionAssignmentStrategy: "fair" }),
      /unknown assignor/,
    );
  });
});
