import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtocolError, Writer } from "@weir/protocol";
import {
  deserializeGroupRecord,
  serializeGroupRecord,
} from "../../../src/coordinator/group/group-record-serde.js";
import type { GroupCoordinatorRecord } from "../../../src/coordinator/group/group-records.js";

function roundTrip(record: GroupCoordinatorRecord): GroupCoordinatorRecord | null {
  const { key, value } = serializeGroupRecord(record);
  return deserializeGroupRecord(key, value);
}

describe("__consumer_offsets record layout", () => {
  it("writes an offset commit as Kafka 3.x does (key v1, value v3), byte for byte", () => {
    const { key, value } = serializeGroupRecord({
      type: "OffsetCommit",
      group: "my-group",
      topic: "orders",
      partition: 3,
      value: {
        offset: 12345,
        leaderEpoch: 7,
        metadata: "m",
        commitTimestamp: 1_700_000_000_000,
        expireTimestamp: -1,
      },
    });
    assert.equal(
      key.toString("hex"),
      [
        "0001", // key version 1: offset commit
        "0008",
        "6d792d67726f7570", // "my-group"
        "0006",
        "6f7264657273", // "orders"
        "00000003", // partition
      ].join(""),
    );
    assert.equal(
      value?.toString("hex"),
      [
        "0003", // value version 3
        "0000000000003039", // offset 12345
        "00000007", // leader epoch
        "0001",
        "6d", // metadata "m"
        "0000018bcfe56800", // commit timestamp 1700000000000
      ].join(""),
    );
  });

  it("writes value v1 when the commit carries an expire timestamp", () => {
    const { value } = serializeGroupRecord({
      type: "OffsetCommit",
      group: "g",
      topic: "t",
      partition: 0,
      value: { offset: 1, leaderEpoch: 4, metadata: "", commitTimestamp: 2, expireTimestamp: 3 },
    });
    assert.equal(
      value?.toString("hex"),
      "0001" + "0000000000000001" + "0000" + "0000000000000002" + "0000000000000003",
    );
  });

  it("round-trips offset commits, group metadata and tombstones", () => {
    const records: GroupCoordinatorRecord[] = [
      {
        type: "OffsetCommit",
        group: "g",
        topic: "t",
        partition: 9,
        value: {
          offset: 2 ** 40,
          leaderEpoch: -1,
          metadata: "ünïcode",
          commitTimestamp: 5,
          expireTimestamp: -1,
        },
      },
      {
        type: "OffsetCommit",
        group: "g",
        topic: "t",
        partition: 9,
        value: { offset: 1, leaderEpoch: -1, metadata: "", commitTimestamp: 5, expireTimestamp: 99 },
      },
      { type: "OffsetCommit", group: "g", topic: "t", partition: 9, value: null },
      {
        type: "GroupMetadata",
        group: "g",
        value: {
          protocolType: "consumer",
          generation: 12,
          protocol: "range",
          leader: "m1",
          currentStateTimestamp: 1_700_000_000_000,
          members: [
            {
              memberId: "m1",
              groupInstanceId: null,
              clientId: "c1",
              clientHost: "/10.0.0.1",
              rebalanceTimeout: 300_000,
              sessionTimeout: 45_000,
              subscription: Buffer.from([0, 1, 2]),
              assignment: Buffer.alloc(5_000, 7),
            },
            {
              memberId: "i-uuid",
              groupInstanceId: "i",
              clientId: "c2",
              clientHost: "/10.0.0.2",
              rebalanceTimeout: 1,
              sessionTimeout: 2,
              subscription: Buffer.alloc(0),
              assignment: Buffer.alloc(0),
            },
          ],
        },
      },
      {
        type: "GroupMetadata",
        group: "empty",
        value: {
          protocolType: "",
          generation: 0,
          protocol: null,
          leader: null,
          currentStateTimestamp: -1,
          members: [],
        },
      },
      { type: "GroupMetadata", group: "g", value: null },
    ];
    for (const record of records) {
      const { value } = serializeGroupRecord(record);
      if (record.value === null) assert.equal(value, null);
      assert.deepEqual(roundTrip(record), record);
    }
    const groupKey = serializeGroupRecord(records[3]).key;
    assert.equal(groupKey.toString("hex"), "0002" + "0001" + "67", "group metadata key v2");
    assert.equal(serializeGroupRecord(records[3]).value?.readInt16BE(0), 3, "group metadata value v3");
  });

  it("reads older and flexible value versions", () => {
    const key = new Writer().int16(0).string("g").string("t").int32(1).toBuffer();
    const v0 = new Writer().int16(0).int64(10n).string("md").int64(20n).toBuffer();
    assert.deepEqual(deserializeGroupRecord(key, v0), {
      type: "OffsetCommit",
      group: "g",
      topic: "t",
      partition: 1,
      value: { offset: 10, leaderEpoch: -1, metadata: "md", commitTimestamp: 20, expireTimestamp: -1 },
    });
    const v4 = new Writer()
      .int16(4)
      .int64(11n)
      .int32(2)
      .compactString("x")
      .int64(21n)
      .unsignedVarint(1) // one unknown tagged field …
      .unsignedVarint(5)
      .unsignedVarint(2)
      .raw(Buffer.from([1, 2])) // … skipped
      .toBuffer();
    assert.deepEqual(deserializeGroupRecord(key, v4), {
      type: "OffsetCommit",
      group: "g",
      topic: "t",
      partition: 1,
      value: { offset: 11, leaderEpoch: 2, metadata: "x", commitTimestamp: 21, expireTimestamp: -1 },
    });

    const groupKey = new Writer().int16(2).string("grp").toBuffer();
    const gv0 = new Writer()
      .int16(0)
      .string("consumer")
      .int32(3)
      .nullableString("range")
      .nullableString("m")
      .arrayLength(1)
      .string("m")
      .string("cid")
      .string("host")
      .int32(10_000)
      .bytes(Buffer.from([9]))
      .bytes(Buffer.from([8]))
      .toBuffer();
    assert.deepEqual(deserializeGroupRecord(groupKey, gv0), {
      type: "GroupMetadata",
      group: "grp",
      value: {
        protocolType: "consumer",
        generation: 3,
        protocol: "range",
        leader: "m",
        currentStateTimestamp: -1,
        members: [
          {
            memberId: "m",
            groupInstanceId: null,
            clientId: "cid",
            clientHost: "host",
            rebalanceTimeout: -1,
            sessionTimeout: 10_000,
            subscription: Buffer.from([9]),
            assignment: Buffer.from([8]),
          },
        ],
      },
    });
  });

  it("skips record types it does not handle and rejects malformed bytes", () => {
    assert.equal(deserializeGroupRecord(Buffer.from([0, 9, 0, 1, 0x67]), Buffer.from([0, 0])), null);
    assert.throws(
      () => deserializeGroupRecord(Buffer.from([0, 3, 0, 1, 0x67]), Buffer.from([0, 0])),
      ProtocolError,
    );
    assert.throws(
      () => deserializeGroupRecord(Buffer.from([0, 3, 0, 1, 0x67]), Buffer.from([0, 1, 0, 0, 0, 0, 0])),
      ProtocolError,
    );
    assert.throws(() => deserializeGroupRecord(Buffer.from([0, 1, 0, 9, 0x67]), null), ProtocolError);
    const key = new Writer().int16(1).string("g").string("t").int32(0).toBuffer();
    assert.throws(() => deserializeGroupRecord(key, Buffer.from([0, 3, 0, 0])), ProtocolError);
    assert.throws(() => deserializeGroupRecord(key, Buffer.from([0, 9])), ProtocolError);
    assert.throws(() => deserializeGroupRecord(Buffer.from([0xff, 0xff]), null), ProtocolError);
  });

  const topicId = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex").toString("base64url");

  it("writes consumer group records as Kafka does (key versions 3-8, flexible value v0), byte for byte", () => {
    const epoch = serializeGroupRecord({ type: "ConsumerGroupMetadata", group: "g", value: { epoch: 5 } });
    assert.equal(epoch.key.toString("hex"), "0003" + "0001" + "67");
    assert.equal(epoch.value?.toString("hex"), "0000" + "00000005" + "00");
    const current = serializeGroupRecord({
      type: "ConsumerGroupCurrentMemberAssignment",
      group: "g",
      memberId: "m",
      value: {
        memberEpoch: 3,
        previousMemberEpoch: 2,
        state: 1,
        assignedPartitions: [{ topicId, partitions: [0, 1] }],
        partitionsPendingRevocation: [],
      },
    });
    assert.equal(current.key.toString("hex"), "0008" + "0001" + "67" + "0001" + "6d");
    assert.equal(
      current.value?.toString("hex"),
      [
        "0000", // value version 0
        "00000003", // member epoch
        "00000002", // previous member epoch
        "01", // state: unrevoked partitions
        "02", // one topic (compact array)
        "000102030405060708090a0b0c0d0e0f", // topic id
        "03", // two partitions
        "00000000",
        "00000001",
        "00", // topic's tagged fields
        "01", // no partitions pending revocation
        "00", // tagged fields
      ].join(""),
    );
    const member = serializeGroupRecord({
      type: "ConsumerGroupMemberMetadata",
      group: "g",
      memberId: "m",
      value: {
        instanceId: null,
        rackId: "r",
        clientId: "c",
        clientHost: "/h",
        subscribedTopicNames: ["t"],
        subscribedTopicRegex: null,
        rebalanceTimeoutMs: 300,
        serverAssignor: "uniform",
      },
    });
    assert.equal(member.key.toString("hex"), "0005" + "0001" + "67" + "0001" + "6d");
    assert.equal(
      member.value?.toString("hex"),
      [
        "0000",
        "00", // instance id: null
        "0272", // rack "r"
        "0263", // client id "c"
        "032f68", // client host "/h"
        "02" + "0274", // ["t"]
        "00", // regex: null
        "0000012c", // rebalance timeout 300
        "08" + Buffer.from("uniform").toString("hex"),
        "00",
      ].join(""),
    );
  });

  it("reads back every consumer group record and tombstone", () => {
    const records: GroupCoordinatorRecord[] = [
      { type: "ConsumerGroupMetadata", group: "g", value: { epoch: 7 } },
      {
        type: "ConsumerGroupPartitionMetadata",
        group: "g",
        value: { topics: [{ topicId, topicName: "orders", numPartitions: 12 }] },
      },
      {
        type: "ConsumerGroupMemberMetadata",
        group: "g",
        memberId: "m",
        value: {
          instanceId: "i",
          rackId: null,
          clientId: "client",
          clientHost: "/127.0.0.1",
          subscribedTopicNames: ["a", "b"],
          subscribedTopicRegex: "x.*",
          rebalanceTimeoutMs: 45_000,
          serverAssignor: null,
        },
      },
      { type: "ConsumerGroupTargetAssignmentMetadata", group: "g", value: { assignmentEpoch: 6 } },
      {
        type: "ConsumerGroupTargetAssignmentMember",
        group: "g",
        memberId: "m",
        value: { topicPartitions: [{ topicId, partitions: [3, 4] }] },
      },
      {
        type: "ConsumerGroupCurrentMemberAssignment",
        group: "g",
        memberId: "m",
        value: {
          memberEpoch: 6,
          previousMemberEpoch: 5,
          state: 2,
          assignedPartitions: [{ topicId, partitions: [3] }],
          partitionsPendingRevocation: [{ topicId, partitions: [9] }],
        },
      },
      { type: "ConsumerGroupMetadata", group: "g", value: null },
      { type: "ConsumerGroupPartitionMetadata", group: "g", value: null },
      { type: "ConsumerGroupMemberMetadata", group: "g", memberId: "m", value: null },
      { type: "ConsumerGroupTargetAssignmentMetadata", group: "g", value: null },
      { type: "ConsumerGroupTargetAssignmentMember", group: "g", memberId: "m", value: null },
      { type: "ConsumerGroupCurrentMemberAssignment", group: "g", memberId: "m", value: null },
    ];
    for (const record of records) assert.deepEqual(roundTrip(record), record);
  });

  it("skips unknown tagged fields of consumer group values (a classic member's metadata)", () => {
    const key = new Writer().int16(5).string("g").string("m").toBuffer();
    const value = new Writer()
      .int16(0)
      .compactNullableString(null)
      .compactNullableString(null)
      .compactString("c")
      .compactString("h")
      .compactArrayLength(0)
      .compactNullableString(null)
      .int32(-1)
      .compactNullableString(null)
      .unsignedVarint(1) // one tagged field
      .unsignedVarint(0) // tag 0: ClassicMemberMetadata
      .unsignedVarint(3)
      .raw(Buffer.from([1, 2, 3]))
      .toBuffer();
    const decoded = deserializeGroupRecord(key, value);
    assert.equal(decoded?.type, "ConsumerGroupMemberMetadata");
  });
});
