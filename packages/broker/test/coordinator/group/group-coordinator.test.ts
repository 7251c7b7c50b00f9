import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  deserializeGroupRecord,
  serializeGroupRecord,
} from "../../../src/coordinator/group/group-record-serde.js";
import type { GroupCoordinatorRecord } from "../../../src/coordinator/group/group-records.js";
import { ctx, GROUP, Harness, settle, subscription, track } from "./harness.js";

function commit(h: Harness, groupId: string, memberId: string, generation: number, offset: number) {
  return h.record(
    h.coordinator.commitOffsets(ctx(), {
      groupId,
      generationIdOrMemberEpoch: generation,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: "orders",
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 1, committedMetadata: null },
          ],
        },
      ],
    }),
  );
}

/** What survives a restart: the records as bytes, decoded again. */
function throughBytes(records: readonly GroupCoordinatorRecord[]): GroupCoordinatorRecord[] {
  return records.map((r) => {
    const { key, value } = serializeGroupRecord(r);
    const decoded = deserializeGroupRecord(key, value);
    assert.ok(decoded !== null);
    return decoded;
  });
}

describe("group coordinator", () => {
  it("lists groups with state and type filters", async () => {
    const h = new Harness();
    await h.stableGroup(1);
    commit(h, "simple", "", -1, 1);
    const all = h.coordinator.listGroups(ctx());
    assert.deepEqual(all, {
      errorCode: "NONE",
      groups: [
        { groupId: GROUP, protocolType: "consumer", groupState: "Stable", groupType: "classic" },
        { groupId: "simple", protocolType: "", groupState: "Empty", groupType: "classic" },
      ],
    });
    assert.deepEqual(
      h.coordinator.listGroups(ctx(), { statesFilter: ["stable"] }).groups.map((g) => g.groupId),
      [GROUP],
    );
    assert.deepEqual(
      h.coordinator.listGroups(ctx(), { statesFilter: [" Empty ", "Dead"] }).groups.map((g) => g.groupId),
      ["simple"],
    );
    assert.equal(h.coordinator.listGroups(ctx(), { typesFilter: ["Classic"] }).groups.length, 2);
    assert.equal(h.coordinator.listGroups(ctx(), { typesFilter: ["consumer"] }).groups.length, 0);
  });

  it("describes groups, with member metadata only when Stable", async () => {
    const h = new Harness();
    const { members } = await h.stableGroup(2);
    const [described, unknown] = h.coordinator.describeGroups(ctx(), [GROUP, "nope"]);
    assert.equal(described.groupState, "Stable");
    assert.equal(described.protocolType, "consumer");
    assert.equal(described.protocolData, "range");
    assert.deepEqual(described.members[0], {
      memberId: members[0],
      groupInstanceId: null,
      clientId: "client-0",
      clientHost: "/127.0.0.1",
      memberMetadata: subscription(["orders"]),
      memberAssignment: Buffer.from(`a:${members[0]}`),
    });
    assert.deepEqual(unknown, {
      errorCode: "NONE",
      groupId: "nope",
      groupState: "Dead",
      protocolType: "",
      protocolData: "",
      members: [],
    });

    h.join({ apiVersion: 3, clientId: "newcomer" });
    const [rebalancing] = h.coordinator.describeGroups(ctx(), [GROUP]);
    assert.equal(rebalancing.groupState, "PreparingRebalance");
    assert.equal(rebalancing.protocolData, "");
    assert.deepEqual(rebalancing.members[0].memberMetadata, Buffer.alloc(0));
    assert.equal(rebalancing.members.length, 3);
  });

  it("deletes Empty groups with their offsets; refuses non-empty and unknown ones", async () => {
    const h = new Harness();
    await h.stableGroup(1);
    commit(h, "simple", "", -1, 5);
    const before = h.log.length;
    const response = h.record(h.coordinator.deleteGroups(ctx(), [GROUP, "simple", "nope", "simple"]));
    assert.deepEqual(response, [
      { groupId: GROUP, errorCode: "NON_EMPTY_GROUP" },
      { groupId: "simple", errorCode: "NONE" },
      { groupId: "nope", errorCode: "GROUP_ID_NOT_FOUND" },
      { groupId: "simple", errorCode: "GROUP_ID_NOT_FOUND" },
    ]);
    assert.deepEqual(h.log.slice(before), [
      { type: "OffsetCommit", group: "simple", topic: "orders", partition: 0, value: null },
      { type: "GroupMetadata", group: "simple", value: null },
    ]);
    assert.equal(h.coordinator.committedOffset("simple", "orders", 0), undefined);
    assert.deepEqual(
      h.coordinator.listGroups(ctx()).groups.map((g) => g.groupId),
      [GROUP],
    );
  });

  it("drops offsets of deleted topics", () => {
    const h = new Harness();
    commit(h, "g1", "", -1, 5);
    const records = h.coordinator.onTopicsDeleted(["orders", "unrelated"]);
    assert.deepEqual(records, [
      { type: "OffsetCommit", group: "g1", topic: "orders", partition: 0, value: null },
    ]);
    assert.equal(h.coordinator.committedOffset("g1", "orders", 0), undefined);
  });

  it("answers COORDINATOR_LOAD_IN_PROGRESS while loading and NOT_COORDINATOR after unloading", async () => {
    const h = new Harness({}, false);
    assert.equal(h.coordinator.status, "loading");
    const join = h.join();
    await settle();
    assert.equal(join.value?.errorCode, "COORDINATOR_LOAD_IN_PROGRESS");
    assert.equal(h.heartbeat("m", 1), "NONE", "heartbeats during load are told all is well");
    assert.equal(
      h.coordinator.fetchOffsets(ctx(), { groupId: GROUP, topics: null }).errorCode,
      "COORDINATOR_LOAD_IN_PROGRESS",
    );

    h.coordinator.onLoaded();
    const a = await h.memberIdFor();
    const parked = h.join({ memberId: a });
    h.coordinator.onUnloaded();
    await settle();
    assert.equal(parked.value?.errorCode, "NOT_COORDINATOR");
    assert.equal(h.coordinator.status, "unloaded");
    assert.equal(h.heartbeat(a, 0), "NOT_COORDINATOR");
    assert.equal(h.scheduler.pending, 0, "no timers left behind");
  });

  it("ignores replays of its own records", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(2);
    commit(h, GROUP, members[0], generationId, 9);
    for (const r of h.log) h.coordinator.replay(r);
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
    assert.equal(h.heartbeat(members[1], generationId), "NONE");
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0)?.offset, 9);
  });
});

describe("restart: replaying the records into a fresh coordinator", () => {
  it("rebuilds offsets and the group as of its last rebalance; members resume or time out", async () => {
    const h = new Harness();
    const { members, leader, generationId } = await h.stableGroup(2);
    commit(h, GROUP, members[0], generationId, 100);
    commit(h, "simple", "", -1, 7);
    // Another group that ended Empty after a rebalance.
    const lone = await h.memberIdFor({ groupId: "lonely" });
    const loneJoin = h.join({ groupId: "lonely", memberId: lone });
    await h.until(() => loneJoin.done);
    h.sync(lone, 1, [], { groupId: "lonely" });
    h.record(
      h.coordinator.leaveGroup(ctx(), {
        groupId: "lonely",
        members: [{ memberId: lone, groupInstanceId: null }],
      }),
    );

    const restarted = new Harness({}, false);
    for (const r of throughBytes(h.log)) restarted.coordinator.replay(r);
    restarted.coordinator.onLoaded();
    const c = restarted.coordinator;

    assert.equal(c.committedOffset(GROUP, "orders", 0)?.offset, 100);
    assert.equal(c.committedOffset(GROUP, "orders", 0)?.leaderEpoch, 1);
    assert.deepEqual(
      c.committedOffset("simple", "orders", 0),
      h.coordinator.committedOffset("simple", "orders", 0),
    );
    assert.deepEqual(c.groupSummary(GROUP), {
      state: "Stable",
      generationId,
      protocolName: "range",
      leader,
      members,
    });
    assert.deepEqual(c.describeGroups(ctx(), [GROUP]), h.coordinator.describeGroups(ctx(), [GROUP]));
    assert.deepEqual(c.groupSummary("lonely"), {
      state: "Empty",
      generationId: 2,
      protocolName: null,
      leader: null,
      members: [],
    });
    assert.deepEqual(
      c.listGroups(ctx()).groups.map((g) => [g.groupId, g.groupState]),
      [
        [GROUP, "Stable"],
        ["simple", "Empty"],
        ["lonely", "Empty"],
      ],
    );

    // Members carry on with their generation; the one that went away times out and the group rebalances.
    assert.equal(restarted.heartbeat(members[0], generationId), "NONE");
    const sync = track(
      c.syncGroup(ctx(), {
        groupId: GROUP,
        generationId,
        memberId: members[0],
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
      }).response,
    );
    await settle();
    assert.deepEqual(sync.value?.assignment, Buffer.from(`a:${members[0]}`));
    restarted.advance(5_000);
    assert.equal(restarted.heartbeat(members[0], generationId), "NONE");
    restarted.advance(5_000);
    assert.equal(c.groupSummary(GROUP)?.state, "PreparingRebalance");
    assert.deepEqual(c.groupSummary(GROUP)?.members, [members[0]]);
    assert.equal(restarted.heartbeat(members[0], generationId), "REBALANCE_IN_PROGRESS");
  });

  it("takes the last record of a key and honours tombstones", () => {
    const h = new Harness();
    commit(h, "g", "", -1, 1);
    commit(h, "g", "", -1, 2);
    h.record(h.coordinator.deleteGroups(ctx(), ["g"]));
    commit(h, "g", "", -1, 3);
    const restarted = new Harness({}, false);
    for (const r of throughBytes(h.log)) restarted.coordinator.replay(r);
    restarted.coordinator.onLoaded();
    assert.equal(restarted.coordinator.committedOffset("g", "orders", 0)?.offset, 3);
    assert.equal(restarted.coordinator.groupSummary("g")?.state, "Empty");
  });
});
