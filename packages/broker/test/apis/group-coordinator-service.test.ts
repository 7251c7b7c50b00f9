import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { BrokerConfig } from "../../src/config/broker-config.js";
import {
  appendErrorToGroupError,
  groupCoordinatorConfig,
} from "../../src/server/group-coordinator-service.js";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import {
  commitSimple,
  createTopic,
  fetchOffsets,
  join,
  retrying,
  startGroupBroker,
  sync,
} from "./group-test-kit.js";

describe("group coordinator service", () => {
  test("takes its settings from the broker's Kafka properties", () => {
    const { config } = BrokerConfig.fromMap(
      new Map([
        ["group.min.session.timeout.ms", "250"],
        ["group.max.session.timeout.ms", "60000"],
        ["group.initial.rebalance.delay.ms", "0"],
        ["group.max.size", "7"],
        ["offsets.retention.minutes", "3"],
        ["offsets.retention.check.interval.ms", "1000"],
        ["offset.metadata.max.bytes", "100"],
        ["group.consumer.session.timeout.ms", "20000"],
        ["group.consumer.heartbeat.interval.ms", "2000"],
        ["group.consumer.max.size", "9"],
        ["group.consumer.assignors", "range"],
      ]),
    );
    assert.deepEqual(groupCoordinatorConfig(config, 12), {
      consumerGroupAssignors: ["range"],
      consumerGroupHeartbeatIntervalMs: 2000,
      consumerGroupMaxSize: 9,
      consumerGroupSessionTimeoutMs: 20_000,
      groupMinSessionTimeoutMs: 250,
      groupMaxSessionTimeoutMs: 60_000,
      groupInitialRebalanceDelayMs: 0,
      groupMaxSize: 7,
      offsetMetadataMaxBytes: 100,
      offsetsRetentionMs: 180_000,
      offsetsRetentionCheckIntervalMs: 1000,
      offsetsTopicNumPartitions: 12,
    });
    const defaults = groupCoordinatorConfig(BrokerConfig.defaults(), 50);
    assert.equal(defaults.groupInitialRebalanceDelayMs, 3000);
    assert.equal(defaults.offsetsRetentionMs, 7 * 24 * 60 * 60_000);
    assert.equal(defaults.offsetMetadataMaxBytes, 4096, "Kafka's default offset.metadata.max.bytes");
  });

  test("maps append errors as Kafka's coordinator does", () => {
    assert.equal(appendErrorToGroupError("NONE", false), "NONE");
    assert.equal(appendErrorToGroupError("UNKNOWN_TOPIC_OR_PARTITION", false), "COORDINATOR_NOT_AVAILABLE");
    assert.equal(appendErrorToGroupError("NOT_ENOUGH_REPLICAS", true), "COORDINATOR_NOT_AVAILABLE");
    assert.equal(appendErrorToGroupError("REQUEST_TIMED_OUT", false), "COORDINATOR_NOT_AVAILABLE");
    assert.equal(appendErrorToGroupError("NOT_LEADER_OR_FOLLOWER", false), "NOT_COORDINATOR");
    assert.equal(appendErrorToGroupError("KAFKA_STORAGE_ERROR", true), "NOT_COORDINATOR");
    assert.equal(appendErrorToGroupError("MESSAGE_TOO_LARGE", true), "INVALID_COMMIT_OFFSET_SIZE");
    assert.equal(appendErrorToGroupError("RECORD_LIST_TOO_LARGE", false), "UNKNOWN_SERVER_ERROR");
    assert.equal(appendErrorToGroupError("CORRUPT_MESSAGE", false), "UNKNOWN_SERVER_ERROR");
  });

  test("a failed append is answered with an error and leaves no trace in the served state", async () => {
    // __consumer_offsets inherits message.max.bytes: a commit whose record is larger cannot be written.
    const broker = await startGroupBroker({ "message.max.bytes": "3000" });
    const client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      await createTopic(client, "t");
      await commitSimple(client, "big", "t", { 0: 1 });
      const tooBig = await client.send(ApiKey.OffsetCommit, 8, {
        groupId: "big",
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [
          {
            name: "t",
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 2n,
                committedLeaderEpoch: -1,
                committedMetadata: "m".repeat(3500),
              },
            ],
          },
        ],
      });
      assert.equal(tooBig.topics[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_COMMIT_OFFSET_SIZE);
      // The coordinator reloaded from the log: the commit that was not written is not served.
      assert.deepEqual(await fetchOffsets(client, "big", "t", [0]), { 0: 1 });
      await commitSimple(client, "big", "t", { 0: 3 });
      assert.deepEqual(await fetchOffsets(client, "big", "t", [0]), { 0: 3 });

      // A rebalance whose group record (with the members' metadata) cannot be written: the
      // leader's SyncGroup fails, and the group is not kept.
      const huge = Buffer.alloc(3500, 1);
      const joined = await retrying(
        () =>
          client.send(ApiKey.JoinGroup, 3, {
            groupId: "huge",
            sessionTimeoutMs: 10_000,
            rebalanceTimeoutMs: 10_000,
            memberId: "",
            protocolType: "consumer",
            protocols: [{ name: "range", metadata: huge }],
          }),
        (r) => r.errorCode,
      );
      assert.equal(joined.errorCode, ErrorCode.NONE);
      const synced = await sync(client, 3, "huge", joined, [{ memberId: joined.memberId, assignment: huge }]);
      assert.equal(synced.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
      const beat = await retrying(
        () =>
          client.send(ApiKey.Heartbeat, 3, {
            groupId: "huge",
            generationId: joined.generationId,
            memberId: joined.memberId,
            groupInstanceId: null,
          }),
        (r) => r.errorCode,
      );
      assert.equal(beat.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      const small = await join(client, 9, { groupId: "small" });
      assert.equal(small.errorCode, ErrorCode.NONE);
    } finally {
      client.close();
      await broker.destroy();
    }
  });
});
