import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemberState } from "../../../src/coordinator/group/consumer-group-member.js";
import {
  deserializeGroupRecord,
  serializeGroupRecord,
} from "../../../src/coordinator/group/group-record-serde.js";
import type { GroupCoordinatorRecord } from "../../../src/coordinator/group/group-records.js";
import { CG, ConsumerHarness, FakeTopics } from "./consumer-harness.js";
import { ctx } from "./harness.js";

function types(records: readonly GroupCoordinatorRecord[]): string[] {
  return records.map((r) => r.type);
}

/** Two members on a 4-partition topic, reconciled to Stable: m1 has 0,1 and m2 has 2,3 at epoch 2. */
function twoStableMembers(config = {}): ConsumerHarness {
  const h = new ConsumerHarness(config);
  h.topics.create("orders", 4);
  h.joinConsumer("m1");
  h.joinConsumer("m2");
  h.beat("m1", { memberEpoch: 1, owned: { orders: [0, 1] } });
  h.beat("m2", { memberEpoch: 2 });
  assert.equal(h.coordinator.consumerGroup(CG)!.state, "Stable");
  return h;
}

describe("consumer group (KIP-848) membership", () => {
  it("a first member joins: epoch 1 and every partition, through six records", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 4);
    const before = h.log.length;
    const response = h.joinConsumer("m1");
    assert.deepEqual(
      { ...response, assignment: h.named(response.assignment) },
      {
        errorCode: "NONE",
        errorMessage: null,
        memberId: "m1",
        memberEpoch: 1,
        heartbeatIntervalMs: 5_000,
        assignment: { orders: [0, 1, 2, 3] },
      },
    );
    assert.deepEqual(types(h.log.slice(before)), [
      "ConsumerGroupMemberMetadata",
      "ConsumerGroupPartitionMetadata",
      "ConsumerGroupMetadata",
      "ConsumerGroupTargetAssignmentMember",
      "ConsumerGroupTargetAssignmentMetadata",
      "ConsumerGroupCurrentMemberAssignment",
    ]);
    const [described] = h.coordinator.consumerGroupDescribe(ctx(), [CG]);
    assert.equal(described!.groupState, "Stable");
    assert.equal(described!.groupEpoch, 1);
    assert.equal(described!.assignmentEpoch, 1);
    assert.equal(described!.assignorName, "uniform");
    assert.deepEqual(described!.members[0]!.assignment, [
      { topicId: h.topics.id("orders"), topicName: "orders", partitions: [0, 1, 2, 3] },
    ]);
    assert.equal(described!.members[0]!.clientId, "client-m1");
    // A plain heartbeat changes nothing and returns no assignment.
    const again = h.beat("m1", { memberEpoch: 1 });
    assert.equal(again.memberEpoch, 1);
    assert.equal(again.assignment, null);
  });

  it("version 0 joins get a member id from the coordinator; version 1 joins must bring one", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 1);
    const v0 = h.beat("", { memberEpoch: 0, apiVersion: 0 });
    assert.equal(v0.errorCode, "NONE");
    assert.match(v0.memberId!, /^[A-Za-z0-9_-]{5,}$/);
    const v1 = h.beat("", { memberEpoch: 0, apiVersion: 1 });
    assert.equal(v1.errorCode, "INVALID_REQUEST");
  });

  it("a second member joins: partitions are revoked from the first before the second gets them", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 4);
    h.joinConsumer("m1");

    // m2 joins at epoch 2; its partitions are still m1's, so it gets none yet.
    const m2 = h.joinConsumer("m2");
    assert.equal(m2.memberEpoch, 2);
    assert.deepEqual(h.named(m2.assignment), {});
    const group = h.coordinator.consumerGroup(CG)!;
    assert.equal(group.member("m2")!.state, MemberState.UNRELEASED_PARTITIONS);
    assert.equal(group.state, "Reconciling");

    // m1 is asked to give up 2 and 3: it stays in epoch 1 and keeps consuming 0 and 1.
    const m1 = h.beat("m1", { memberEpoch: 1 });
    assert.equal(m1.memberEpoch, 1);
    assert.deepEqual(h.named(m1.assignment), { orders: [0, 1] });
    assert.equal(group.member("m1")!.state, MemberState.UNREVOKED_PARTITIONS);

    // Until m1 confirms, m2 waits.
    assert.equal(h.beat("m2", { memberEpoch: 2 }).assignment, null);
    const stillOwning = h.beat("m1", { memberEpoch: 1, owned: { orders: [0, 1, 2] } });
    assert.equal(stillOwning.memberEpoch, 1);
    assert.equal(group.member("m1")!.state, MemberState.UNREVOKED_PARTITIONS);

    // m1 revoked: it moves to epoch 2; then m2 gets 2 and 3.
    const revoked = h.beat("m1", { memberEpoch: 1, owned: { orders: [0, 1] } });
    assert.equal(revoked.memberEpoch, 2);
    assert.equal(revoked.assignment, null);
    const assigned = h.beat("m2", { memberEpoch: 2 });
    assert.deepEqual(h.named(assigned.assignment), { orders: [2, 3] });
    assert.equal(group.state, "Stable");
    assert.equal(group.groupEpoch, 2);
    assert.equal(group.assignmentEpoch, 2);
  });

  it("a member leaving (epoch -1) bumps the group epoch; the other one takes over its partitions", () => {
    const h = twoStableMembers();
    const left = h.beat("m2", { memberEpoch: -1 });
    assert.deepEqual(left, {
      errorCode: "NONE",
      errorMessage: null,
      memberId: "m2",
      memberEpoch: -1,
      heartbeatIntervalMs: 0,
      assignment: null,
    });
    const group = h.coordinator.consumerGroup(CG)!;
    assert.equal(group.hasMember("m2"), false);
    assert.equal(group.groupEpoch, 3);
    assert.equal(group.state, "Assigning");
    const m1 = h.beat("m1", { memberEpoch: 2 });
    assert.equal(m1.memberEpoch, 3);
    assert.deepEqual(h.named(m1.assignment), { orders: [0, 1, 2, 3] });
    assert.equal(group.state, "Stable");
    // The last member leaves: the group stays, Empty, with its epoch.
    h.beat("m1", { memberEpoch: -1 });
    assert.equal(group.state, "Empty");
    assert.equal(h.beat("m1", { memberEpoch: 3 }).errorCode, "UNKNOWN_MEMBER_ID");
  });

  it("a member that stops heartbeating is fenced after group.consumer.session.timeout.ms", () => {
    const h = twoStableMembers({
      consumerGroupSessionTimeoutMs: 10_000,
      consumerGroupHeartbeatIntervalMs: 1_000,
    });
    for (let t = 0; t < 9; t++) {
      h.advance(1_000);
      h.beat("m1", { memberEpoch: 2 });
    }
    assert.equal(h.coordinator.consumerGroup(CG)!.hasMember("m2"), true);
    h.advance(1_000);
    assert.equal(h.coordinator.consumerGroup(CG)!.hasMember("m2"), false);
    assert.deepEqual(types(h.timerRecords), [
      "ConsumerGroupCurrentMemberAssignment",
      "ConsumerGroupTargetAssignmentMember",
      "ConsumerGroupMemberMetadata",
      "ConsumerGroupMetadata",
    ]);
    const m1 = h.beat("m1", { memberEpoch: 2 });
    assert.equal(m1.memberEpoch, 3);
    assert.deepEqual(h.named(m1.assignment), { orders: [0, 1, 2, 3] });
    assert.equal(h.beat("m2", { memberEpoch: 2 }).errorCode, "UNKNOWN_MEMBER_ID");
  });

  it("a member that does not revoke within its rebalance timeout is fenced", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 4);
    h.joinConsumer("m1", { rebalanceTimeoutMs: 10_000 });
    h.joinConsumer("m2");
    h.beat("m1", { memberEpoch: 1 });
    assert.equal(h.coordinator.consumerGroup(CG)!.member("m1")!.state, MemberState.UNREVOKED_PARTITIONS);
    for (let t = 0; t < 4; t++) {
      h.advance(2_000);
      h.beat("m1", { memberEpoch: 1, owned: { orders: [0, 1, 2, 3] } });
      h.beat("m2", { memberEpoch: 2 });
    }
    h.advance(2_001);
    assert.equal(h.coordinator.consumerGroup(CG)!.hasMember("m1"), false);
    const m2 = h.beat("m2", { memberEpoch: 2 });
    assert.equal(m2.memberEpoch, 3);
    assert.deepEqual(h.named(m2.assignment), { orders: [0, 1, 2, 3] });
  });

  it("fences epochs: greater, or smaller unless the previous epoch with a subset of the assignment", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 4);
    h.joinConsumer("m1");
    assert.equal(h.beat("m1", { memberEpoch: 2 }).errorCode, "FENCED_MEMBER_EPOCH");
    h.joinConsumer("m2");
    // Reporting only what it keeps, m1 moves straight to epoch 2 (nothing left to revoke).
    const m1 = h.beat("m1", { memberEpoch: 1, owned: { orders: [0, 1] } });
    assert.equal(m1.memberEpoch, 2);
    const member = h.coordinator.consumerGroup(CG)!.member("m1")!;
    assert.equal(member.previousMemberEpoch, 1);
    // Its response may have been lost: the previous epoch with a subset of the assignment is fine.
    assert.equal(h.beat("m1", { memberEpoch: 1, owned: { orders: [0] } }).errorCode, "NONE");
    assert.equal(
      h.beat("m1", { memberEpoch: 1, owned: { orders: [0, 2] } }).errorCode,
      "FENCED_MEMBER_EPOCH",
    );
    assert.equal(h.beat("m1", { memberEpoch: 1 }).errorCode, "FENCED_MEMBER_EPOCH");
    assert.equal(h.beat("m1", { memberEpoch: 3 }).errorCode, "FENCED_MEMBER_EPOCH");
    assert.equal(h.beat("nobody", { memberEpoch: 1 }).errorCode, "UNKNOWN_MEMBER_ID");
    // A fenced member rejoins with epoch 0 under its id and gets its assignment back.
    const rejoined = h.joinConsumer("m1");
    assert.equal(rejoined.memberEpoch, 2);
    assert.deepEqual(h.named(rejoined.assignment), { orders: [0, 1] });
  });

  it("static members: -2 keeps the assignment, a new member id under the instance id takes it over", () => {
    const h = new ConsumerHarness({
      consumerGroupSessionTimeoutMs: 10_000,
      consumerGroupHeartbeatIntervalMs: 1_000,
    });
    h.topics.create("orders", 4);
    h.joinConsumer("a1", { instanceId: "instance-a" });
    h.joinConsumer("b1");
    h.beat("a1", { memberEpoch: 1, instanceId: "instance-a", owned: { orders: [0, 1] } });
    h.beat("b1", { memberEpoch: 2 });
    const group = h.coordinator.consumerGroup(CG)!;
    assert.equal(group.state, "Stable");

    // Another process with the same instance id cannot join while a1 is there.
    assert.equal(
      h.beat("a2", { memberEpoch: 0, instanceId: "instance-a" }).errorCode,
      "UNRELEASED_INSTANCE_ID",
    );

    const away = h.beat("a1", { memberEpoch: -2, instanceId: "instance-a" });
    assert.equal(away.memberEpoch, -2);
    assert.equal(group.member("a1")!.memberEpoch, -2);
    assert.deepEqual(h.assigned("a1"), { orders: [0, 1] });
    assert.equal(group.groupEpoch, 2, "a temporary leave does not rebalance");
    // b1 does not get a1's partitions meanwhile.
    assert.equal(h.beat("b1", { memberEpoch: 2 }).assignment, null);

    // The instance restarts with a new member id: it gets a1's partitions, nothing moves.
    const back = h.joinConsumer("a2", { instanceId: "instance-a" });
    assert.equal(back.memberEpoch, 2);
    assert.deepEqual(h.named(back.assignment), { orders: [0, 1] });
    assert.equal(group.hasMember("a1"), false);
    assert.equal(group.groupEpoch, 2);
    assert.equal(group.state, "Stable");
    assert.equal(h.beat("a1", { memberEpoch: 2, instanceId: "instance-a" }).errorCode, "FENCED_INSTANCE_ID");
    assert.equal(h.beat("x", { memberEpoch: 2, instanceId: "instance-x" }).errorCode, "UNKNOWN_MEMBER_ID");

    // Gone for good: -2, then no heartbeat within the session timeout.
    h.beat("a2", { memberEpoch: -2, instanceId: "instance-a" });
    for (let t = 0; t < 11; t++) {
      h.advance(1_000);
      h.beat("b1", { memberEpoch: 2 });
    }
    assert.equal(group.hasMember("a2"), false);
    assert.equal(group.staticMemberId("instance-a"), undefined);
    assert.deepEqual(h.assigned("b1"), { orders: [0, 1, 2, 3] });
  });

  it("a static member leaving with -1 leaves for good", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 2);
    h.joinConsumer("a1", { instanceId: "i" });
    assert.equal(h.beat("zz", { memberEpoch: -1, instanceId: "i" }).errorCode, "FENCED_INSTANCE_ID");
    assert.equal(h.beat("a1", { memberEpoch: -1, instanceId: "i" }).memberEpoch, -1);
    assert.equal(h.coordinator.consumerGroup(CG)!.size, 0);
  });

  it("rejects invalid heartbeats as Kafka does", () => {
    const h = new ConsumerHarness({ consumerGroupMaxSize: 1 });
    h.topics.create("orders", 1);
    const error = (memberId: string, o: Parameters<ConsumerHarness["beat"]>[1]) =>
      h.beat(memberId, o).errorCode;
    assert.equal(error("m", { memberEpoch: 0, groupId: " " }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, rebalanceTimeoutMs: -1 }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, owned: null }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, owned: { orders: [0] } }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, topics: null }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, instanceId: "" }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, rackId: " " }), "INVALID_REQUEST");
    assert.equal(error("", { memberEpoch: 3 }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: -2 }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: -3 }), "INVALID_REQUEST");
    assert.equal(error("m", { memberEpoch: 0, serverAssignor: "sticky" }), "UNSUPPORTED_ASSIGNOR");
    assert.equal(error("m", { memberEpoch: 0, regex: "orders-[" }), "INVALID_REGULAR_EXPRESSION");
    assert.equal(error("m", { memberEpoch: 1 }), "GROUP_ID_NOT_FOUND");
    assert.equal(error("m", { memberEpoch: -1 }), "GROUP_ID_NOT_FOUND");
    h.joinConsumer("m");
    assert.equal(error("other", { memberEpoch: 0 }), "GROUP_MAX_SIZE_REACHED");
    assert.equal(error("m", { memberEpoch: 1 }), "NONE");
    assert.equal(h.coordinator.consumerGroup(CG)!.size, 1);
  });

  it("a topic that grows bumps the group epoch at the next heartbeat, and the new partitions are assigned", () => {
    const h = twoStableMembers();
    h.topics.setPartitions("orders", 6);
    const before = h.log.length;
    const m1 = h.beat("m1", { memberEpoch: 2 });
    assert.deepEqual(types(h.log.slice(before)).slice(0, 2), [
      "ConsumerGroupPartitionMetadata",
      "ConsumerGroupMetadata",
    ]);
    assert.equal(m1.memberEpoch, 3);
    h.beat("m2", { memberEpoch: 2 });
    assert.equal(h.ownedCount(), 6);
    assert.deepEqual([h.assigned("m1").orders!.length, h.assigned("m2").orders!.length], [3, 3]);
    // A deleted topic is revoked.
    h.topics.delete("orders");
    const gone = h.beat("m1", { memberEpoch: 3 });
    assert.deepEqual(h.named(gone.assignment), {});
  });

  it("subscribes with a regular expression (v1) to existing and future topics", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders-eu", 2);
    h.topics.create("orders-us", 1);
    h.topics.create("payments", 1);
    const joined = h.joinConsumer("m1", { topics: null, regex: "orders-.*" });
    assert.deepEqual(h.named(joined.assignment), { "orders-eu": [0, 1], "orders-us": [0] });
    h.topics.create("orders-asia", 1);
    const next = h.beat("m1", { memberEpoch: 1 });
    assert.equal(next.memberEpoch, 2);
    assert.deepEqual(h.named(next.assignment), { "orders-asia": [0], "orders-eu": [0, 1], "orders-us": [0] });
    const [described] = h.coordinator.consumerGroupDescribe(ctx(), [CG]);
    assert.equal(described!.members[0]!.subscribedTopicRegex, "orders-.*");
  });

  it("uses the server assignor the members ask for", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 5);
    h.joinConsumer("a", { serverAssignor: "range" });
    h.joinConsumer("b", { serverAssignor: "range" });
    h.beat("a", { memberEpoch: 1, owned: { orders: [0, 1, 2] } });
    h.beat("b", { memberEpoch: 2 });
    assert.deepEqual(h.assigned("a"), { orders: [0, 1, 2] });
    assert.deepEqual(h.assigned("b"), { orders: [3, 4] });
    assert.equal(h.coordinator.consumerGroupDescribe(ctx(), [CG])[0]!.assignorName, "range");
  });

  it("converges to a balanced assignment with many members joining and leaving", () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 12);
    h.topics.create("payments", 5);
    const members = ["a", "b", "c", "d"];
    const epochs = new Map<string, number>();
    const owned = new Map<string, Record<string, number[]>>();
    const step = (id: string) => {
      const joining = !epochs.has(id);
      const r = joining
        ? h.joinConsumer(id, { topics: ["orders", "payments"] })
        : h.beat(id, { memberEpoch: epochs.get(id)!, owned: owned.get(id)! });
      assert.equal(r.errorCode, "NONE");
      epochs.set(id, r.memberEpoch);
      // The client revokes at once what it is no longer assigned.
      if (r.assignment !== null) owned.set(id, h.named(r.assignment));
    };
    for (const id of members) step(id);
    for (let round = 0; round < 5; round++) for (const id of members) step(id);
    assert.equal(h.coordinator.consumerGroup(CG)!.state, "Stable");
    const counts = members.map((id) => Object.values(h.assigned(id)).reduce((n, ps) => n + ps.length, 0));
    assert.equal(
      counts.reduce((a, b) => a + b),
      17,
    );
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `balanced: ${counts}`);
    const before = new Map(members.map((id) => [id, h.assigned(id)]));
    // "d" leaves: the others keep everything they had and share d's partitions.
    h.beat("d", { memberEpoch: -1 });
    members.pop();
    for (let round = 0; round < 3; round++) for (const id of members) step(id);
    for (const id of members) {
      const now = h.assigned(id);
      for (const [topic, partitions] of Object.entries(before.get(id)!)) {
        for (const p of partitions) assert.ok(now[topic]?.includes(p), `${id} kept ${topic}-${p}`);
      }
    }
    assert.equal(h.ownedCount(), 17);
  });
});

describe("consumer groups beside classic groups and offsets", () => {
  it("a classic group with members keeps its id; one holding only offsets becomes a consumer group", async () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 1);
    await h.stableGroup(1);
    assert.equal(h.beat("m", { memberEpoch: 0, groupId: "group-1" }).errorCode, "GROUP_ID_NOT_FOUND");
    h.record(
      h.coordinator.commitOffsets(ctx(), {
        groupId: "simple",
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: "orders",
            partitions: [
              { partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      }),
    );
    const before = h.log.length;
    assert.equal(h.beat("m", { memberEpoch: 0, groupId: "simple" }).errorCode, "NONE");
    assert.equal(h.log[before]!.type, "GroupMetadata");
    assert.equal(h.log[before]!.value, null);
    assert.equal(h.coordinator.committedOffset("simple", "orders", 0)?.offset, 42);
    const listed = h.coordinator.listGroups(ctx()).groups.find((g) => g.groupId === "simple");
    assert.deepEqual(listed, {
      groupId: "simple",
      protocolType: "consumer",
      groupState: "Stable",
      groupType: "consumer",
    });
    assert.equal(h.coordinator.listGroups(ctx(), { typesFilter: ["consumer"] }).groups.length, 1);
    assert.equal(h.coordinator.listGroups(ctx(), { typesFilter: ["classic"] }).groups.length, 1);
    assert.equal(h.coordinator.listGroups(ctx(), { statesFilter: ["stable"] }).groups.length, 2);
    // The classic APIs do not describe consumer groups, as in Kafka.
    assert.equal(h.coordinator.describeGroups(ctx(), ["simple"])[0]!.groupState, "Dead");
    const [classic] = h.coordinator.consumerGroupDescribe(ctx(), ["group-1"]);
    assert.equal(classic!.errorCode, "GROUP_ID_NOT_FOUND");
    assert.equal(classic!.errorMessage, "Group group-1 is not a consumer group.");
    assert.equal(h.coordinator.consumerGroupDescribe(ctx(), [""])[0]!.errorCode, "INVALID_GROUP_ID");
  });

  it("JoinGroup answers INCONSISTENT_GROUP_PROTOCOL on a consumer group with members; an empty one turns classic", async () => {
    const h = new ConsumerHarness();
    h.topics.create("orders", 1);
    h.joinConsumer("m");
    const refused = h.join({ groupId: CG, apiVersion: 5 });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(refused.value?.errorCode, "INCONSISTENT_GROUP_PROTOCOL");
    h.beat("m", { memberEpoch: -1 });
    h.join({ groupId: CG, apiVersion: 9 });
    assert.equal(h.coordinator.consumerGroup(CG), undefined);
    assert.equal(h.coordinator.listGroups(ctx()).groups.find((g) => g.groupId === CG)?.groupType, "classic");
  });

  it("offset commits carry the member epoch (v9+); DeleteGroups and OffsetDelete follow Kafka's rules", () => {
    const h = twoStableMembers();
    const commit = (memberId: string, epoch: number, apiVersion = 9, partition = 0) =>
      h.record(
        h.coordinator.commitOffsets(ctx("c", apiVersion), {
          groupId: CG,
          generationIdOrMemberEpoch: epoch,
          memberId,
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [
            {
              name: "orders",
              partitions: [
                {
                  partitionIndex: partition,
                  committedOffset: 10,
                  committedLeaderEpoch: 0,
                  committedMetadata: "",
                },
              ],
            },
          ],
        }),
      ).topics[0]!.partitions[0]!.errorCode;
    assert.equal(commit("m1", 2), "NONE");
    assert.equal(commit("m1", 1), "STALE_MEMBER_EPOCH");
    assert.equal(commit("m1", 2, 8), "UNSUPPORTED_VERSION");
    assert.equal(commit("zz", 2), "UNKNOWN_MEMBER_ID");
    assert.equal(commit("", -1), "UNKNOWN_MEMBER_ID", "admin commits need an empty group");
    const fetched = h.coordinator.fetchOffsets(ctx(), {
      groupId: CG,
      topics: [{ name: "orders", partitionIndexes: [0] }],
      memberId: "m1",
      memberEpoch: 2,
    });
    assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 10);
    assert.equal(
      h.coordinator.fetchOffsets(ctx(), { groupId: CG, topics: null, memberId: "m1", memberEpoch: 1 })
        .errorCode,
      "STALE_MEMBER_EPOCH",
    );
    assert.equal(h.coordinator.fetchOffsets(ctx(), { groupId: CG, topics: null }).topics.length, 1);

    const deleted = h.record(
      h.coordinator.deleteOffsets(ctx(), {
        groupId: CG,
        topics: [{ name: "orders", partitions: [{ partitionIndex: 0 }] }],
      }),
    );
    assert.equal(deleted.topics[0]!.partitions[0]!.errorCode, "GROUP_SUBSCRIBED_TO_TOPIC");
    assert.equal(h.record(h.coordinator.deleteGroups(ctx(), [CG]))[0]!.errorCode, "NON_EMPTY_GROUP");

    h.beat("m1", { memberEpoch: -1 });
    h.beat("m2", { memberEpoch: -1 });
    assert.equal(commit("", -1, 8, 1), "NONE", "an empty consumer group takes admin commits");
    const before = h.log.length;
    assert.equal(h.record(h.coordinator.deleteGroups(ctx(), [CG]))[0]!.errorCode, "NONE");
    assert.deepEqual(types(h.log.slice(before)), [
      "OffsetCommit",
      "OffsetCommit",
      "ConsumerGroupTargetAssignmentMetadata",
      "ConsumerGroupPartitionMetadata",
      "ConsumerGroupMetadata",
    ]);
    assert.equal(h.coordinator.consumerGroup(CG), undefined);
    assert.equal(h.coordinator.committedOffset(CG, "orders", 0), undefined);
  });

  it("expires an empty consumer group's offsets offsets.retention after their commit, then the group", () => {
    const h = new ConsumerHarness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    h.topics.create("orders", 1);
    h.joinConsumer("m");
    h.record(
      h.coordinator.commitOffsets(ctx("c", 9), {
        groupId: CG,
        generationIdOrMemberEpoch: 1,
        memberId: "m",
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: "orders",
            partitions: [
              { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: 0, committedMetadata: "" },
            ],
          },
        ],
      }),
    );
    // Subscribed: kept whatever its age.
    for (let t = 0; t < 10; t++) {
      h.advance(10_000);
      h.beat("m", { memberEpoch: 1 });
    }
    assert.equal(h.coordinator.committedOffset(CG, "orders", 0)?.offset, 5);
    h.beat("m", { memberEpoch: -1 });
    h.advance(10_000);
    assert.equal(h.coordinator.committedOffset(CG, "orders", 0), undefined);
    assert.equal(h.coordinator.consumerGroup(CG), undefined);
  });
});

describe("consumer group persistence", () => {
  it("replaying the records (through Kafka's bytes) rebuilds the groups; loaded members get sessions", () => {
    const topics = new FakeTopics();
    const h = new ConsumerHarness(
      { consumerGroupSessionTimeoutMs: 10_000, consumerGroupHeartbeatIntervalMs: 1_000 },
      topics,
    );
    topics.create("orders", 4);
    h.joinConsumer("m1", { instanceId: "i1" });
    h.joinConsumer("m2", { serverAssignor: "range" });
    h.beat("m1", { memberEpoch: 1, instanceId: "i1" }); // asked to revoke: UNREVOKED_PARTITIONS

    const restarted = new ConsumerHarness(
      { consumerGroupSessionTimeoutMs: 10_000, consumerGroupHeartbeatIntervalMs: 1_000 },
      topics,
      false,
    );
    for (const record of h.log) {
      const { key, value } = serializeGroupRecord(record);
      const decoded = deserializeGroupRecord(key, value);
      assert.ok(decoded !== null, record.type);
      restarted.coordinator.replay(decoded);
    }
    restarted.coordinator.onLoaded();
    assert.deepEqual(
      restarted.coordinator.consumerGroupDescribe(ctx(), [CG]),
      h.coordinator.consumerGroupDescribe(ctx(), [CG]),
    );
    const group = restarted.coordinator.consumerGroup(CG)!;
    assert.equal(group.member("m1")!.state, MemberState.UNREVOKED_PARTITIONS);
    assert.equal(group.staticMemberId("i1"), "m1");
    assert.equal(group.partitionOwner(topics.id("orders"), 3), "m1");
    // The reconciliation carries on where it was.
    const revoked = restarted.beat("m1", { memberEpoch: 1, instanceId: "i1", owned: { orders: [0, 1] } });
    assert.equal(revoked.memberEpoch, 2);
    restarted.advance(10_001);
    assert.equal(group.size, 0, "members that do not heartbeat after a load are fenced");
  });
});
