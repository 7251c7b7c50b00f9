import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ctx, GROUP, Harness, settle, subscription } from "./harness.js";

describe("classic group membership", () => {
  it("takes a single member through join, sync and Stable", async () => {
    const h = new Harness();
    const first = h.join();
    await settle();
    assert.equal(first.value?.errorCode, "MEMBER_ID_REQUIRED");
    assert.equal(first.value?.memberId, "client-uuid-1");
    // The new group is persisted right away.
    assert.deepEqual(
      h.log.map((r) => r.type),
      ["GroupMetadata"],
    );

    const join = h.join({ memberId: "client-uuid-1" });
    await settle();
    assert.equal(join.done, false, "parked during the initial rebalance delay");
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "PreparingRebalance");

    h.advance(2_999);
    await settle();
    assert.equal(join.done, false);
    h.advance(1);
    await settle();
    assert.deepEqual(join.value, {
      errorCode: "NONE",
      generationId: 1,
      protocolType: "consumer",
      protocolName: "range",
      leader: "client-uuid-1",
      skipAssignment: false,
      memberId: "client-uuid-1",
      members: [{ memberId: "client-uuid-1", groupInstanceId: null, metadata: subscription(["orders"]) }],
    });
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "CompletingRebalance");

    const logBefore = h.log.length;
    const sync = h.sync("client-uuid-1", 1, [{ memberId: "client-uuid-1", assignment: Buffer.from("A") }]);
    await settle();
    assert.deepEqual(sync.value, {
      errorCode: "NONE",
      protocolType: "consumer",
      protocolName: "range",
      assignment: Buffer.from("A"),
    });
    const written = h.log.slice(logBefore);
    assert.equal(written.length, 1);
    assert.equal(written[0].type, "GroupMetadata");
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
    assert.equal(h.heartbeat("client-uuid-1", 1), "NONE");
  });

  it("does the MEMBER_ID_REQUIRED dance with two members and extends the initial delay", async () => {
    const h = new Harness();
    const a = await h.memberIdFor({ clientId: "a" });
    const b = await h.memberIdFor({ clientId: "b" });
    assert.equal(a, "a-uuid-1");
    assert.equal(b, "b-uuid-2");
    const joinA = h.join({ memberId: a, clientId: "a" });
    h.advance(1_000);
    const joinB = h.join({ memberId: b, clientId: "b" });
    // B joined during the delay: at 3 s the delay is extended by another 3 s.
    h.advance(2_000);
    await settle();
    assert.equal(joinA.done, false);
    h.advance(2_999);
    await settle();
    assert.equal(joinA.done, false);
    h.advance(1);
    await settle();
    assert.equal(joinA.value?.errorCode, "NONE");
    assert.equal(joinA.value?.leader, a);
    assert.deepEqual(
      joinA.value?.members.map((m) => m.memberId),
      [a, b],
    );
    assert.equal(joinB.value?.errorCode, "NONE");
    assert.deepEqual(joinB.value?.members, [], "followers get no member list");
    assert.equal(joinB.value?.generationId, 1);

    // The follower's SyncGroup waits for the leader's.
    const syncB = h.sync(b, 1);
    await settle();
    assert.equal(syncB.done, false);
    const syncA = h.sync(a, 1, [
      { memberId: a, assignment: Buffer.from("for-a") },
      { memberId: b, assignment: Buffer.from("for-b") },
    ]);
    await settle();
    assert.deepEqual(syncA.value?.assignment, Buffer.from("for-a"));
    assert.deepEqual(syncB.value?.assignment, Buffer.from("for-b"));
    assert.equal(syncB.value?.errorCode, "NONE");
  });

  it("caps the initial delay at the rebalance timeout", async () => {
    const h = new Harness();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await h.memberIdFor({ clientId: `c${i}` }));
    const first = h.join({ memberId: ids[0], clientId: "c0", rebalanceTimeoutMs: 5_000 });
    // Members keep arriving every second: the delay stops being extended at the rebalance timeout.
    for (let i = 1; i < 6; i++) {
      h.advance(1_000);
      h.join({ memberId: ids[i], clientId: `c${i}`, rebalanceTimeoutMs: 5_000 });
    }
    await settle();
    assert.equal(first.done, true, "completed after 5 s although members kept joining");
    assert.equal(first.value?.members.length, 5);
  });

  it("rebalances a Stable group when a third member joins; all rejoin", async () => {
    const h = new Harness();
    const { members, leader, generationId } = await h.stableGroup(2);
    const c = await h.memberIdFor({ clientId: "client-c" });
    const joinC = h.join({ memberId: c, clientId: "client-c" });
    await settle();
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "PreparingRebalance");
    assert.equal(h.heartbeat(members[0], generationId), "REBALANCE_IN_PROGRESS");
    assert.equal(h.heartbeat(members[1], generationId), "REBALANCE_IN_PROGRESS");

    const rejoin0 = h.join({ memberId: members[0], clientId: "client-0" });
    await settle();
    assert.equal(rejoin0.done, false);
    const rejoin1 = h.join({ memberId: members[1], clientId: "client-1" });
    await settle();
    // Everyone is in: the join phase completes without waiting for the rebalance timeout.
    for (const j of [rejoin0, rejoin1, joinC]) {
      assert.equal(j.value?.errorCode, "NONE");
      assert.equal(j.value?.generationId, generationId + 1);
      assert.equal(j.value?.leader, leader, "the leader stays leader");
    }
    assert.equal(rejoin0.value?.members.length, 3);
    assert.equal(joinC.value?.members.length, 0);
  });

  it("removes a member that stops heartbeating, then rebalances the rest", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(2);
    const [a, b] = members;
    // A heartbeats every 3 s; B is silent.
    for (let t = 0; t < 9; t++) {
      h.advance(1_000);
      if (t % 3 === 2) assert.equal(h.heartbeat(a, generationId), "NONE");
    }
    assert.deepEqual(h.coordinator.groupSummary(GROUP)?.members, [a, b]);
    h.advance(1_000);
    assert.deepEqual(h.coordinator.groupSummary(GROUP)?.members, [a], "B's session expired");
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "PreparingRebalance");
    assert.equal(h.heartbeat(b, generationId), "UNKNOWN_MEMBER_ID");
    assert.equal(h.heartbeat(a, generationId), "REBALANCE_IN_PROGRESS");
    const rejoin = h.join({ memberId: a, clientId: "client-0" });
    await settle();
    assert.equal(rejoin.value?.generationId, generationId + 1);
    assert.deepEqual(
      rejoin.value?.members.map((m) => m.memberId),
      [a],
    );
  });

  it("handles LeaveGroup, and an emptied group is persisted as Empty", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(2);
    const [a, b] = members;
    const leave = h.record(
      h.coordinator.leaveGroup(ctx(), {
        groupId: GROUP,
        members: [
          { memberId: b, groupInstanceId: null },
          { memberId: "nobody", groupInstanceId: null },
        ],
      }),
    );
    assert.deepEqual(leave, {
      errorCode: "NONE",
      members: [
        { memberId: b, groupInstanceId: null, errorCode: "NONE" },
        { memberId: "nobody", groupInstanceId: null, errorCode: "UNKNOWN_MEMBER_ID" },
      ],
    });
    assert.equal(h.heartbeat(a, generationId), "REBALANCE_IN_PROGRESS");
    const rejoin = h.join({ memberId: a, clientId: "client-0" });
    await settle();
    assert.equal(rejoin.value?.generationId, generationId + 1);

    const before = h.log.length;
    h.record(
      h.coordinator.leaveGroup(ctx(), { groupId: GROUP, members: [{ memberId: a, groupInstanceId: null }] }),
    );
    const summary = h.coordinator.groupSummary(GROUP);
    assert.equal(summary?.state, "Empty");
    assert.equal(summary?.generationId, generationId + 2);
    const written = h.log.slice(before);
    assert.equal(written.length, 1);
    assert.equal(written[0].type, "GroupMetadata");
    assert.equal(written[0].type === "GroupMetadata" && written[0].value?.members.length, 0);

    const unknownGroup = h.coordinator.leaveGroup(ctx(), {
      groupId: "nope",
      members: [{ memberId: "x", groupInstanceId: null }],
    });
    assert.equal(unknownGroup.response.members[0].errorCode, "UNKNOWN_MEMBER_ID");
  });

  it("removes members that do not rejoin within the rebalance timeout", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(2, {
      rebalanceTimeoutMs: 5_000,
      sessionTimeoutMs: 30_000,
    });
    const [a, b] = members;
    const c = await h.memberIdFor({
      clientId: "client-c",
      rebalanceTimeoutMs: 5_000,
      sessionTimeoutMs: 30_000,
    });
    const joinC = h.join({
      memberId: c,
      clientId: "client-c",
      rebalanceTimeoutMs: 5_000,
      sessionTimeoutMs: 30_000,
    });
    const joinA = h.join({
      memberId: a,
      clientId: "client-0",
      rebalanceTimeoutMs: 5_000,
      sessionTimeoutMs: 30_000,
    });
    h.advance(4_000);
    // B keeps heartbeating but never rejoins.
    assert.equal(h.heartbeat(b, generationId), "REBALANCE_IN_PROGRESS");
    await settle();
    assert.equal(joinA.done, false);
    h.advance(1_000);
    await settle();
    assert.equal(joinA.value?.errorCode, "NONE");
    assert.deepEqual(joinA.value?.members.map((m) => m.memberId).sort(), [a, c].sort());
    assert.equal(joinC.value?.errorCode, "NONE");
    assert.equal(h.heartbeat(b, generationId), "UNKNOWN_MEMBER_ID");
  });

  it("removes members that do not SyncGroup within the rebalance timeout", async () => {
    const h = new Harness();
    const a = await h.memberIdFor({ clientId: "a", rebalanceTimeoutMs: 5_000 });
    const b = await h.memberIdFor({ clientId: "b", rebalanceTimeoutMs: 5_000 });
    const joinA = h.join({ memberId: a, clientId: "a", rebalanceTimeoutMs: 5_000 });
    h.join({ memberId: b, clientId: "b", rebalanceTimeoutMs: 5_000 });
    await h.until(() => joinA.done);
    h.sync(a, 1, [{ memberId: a, assignment: Buffer.from("x") }]);
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
    h.advance(5_000);
    assert.deepEqual(h.coordinator.groupSummary(GROUP)?.members, [a]);
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "PreparingRebalance");
  });

  it("answers SyncGroup errors", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(2);
    const wrongGeneration = h.sync(members[1], generationId + 5);
    const unknown = h.sync("stranger", generationId);
    const unknownGroup = h.sync(members[0], generationId, [], { groupId: "other" });
    const invalid = h.sync(members[0], generationId, [], { groupId: "" });
    const wrongType = h.sync(members[0], generationId, [], { protocolType: "connect" });
    const rightType = h.sync(members[0], generationId, [], { protocolType: "consumer" });
    await settle();
    assert.equal(wrongType.value?.errorCode, "INCONSISTENT_GROUP_PROTOCOL");
    assert.equal(rightType.value?.errorCode, "NONE");
    assert.equal(wrongGeneration.value?.errorCode, "ILLEGAL_GENERATION");
    assert.equal(unknown.value?.errorCode, "UNKNOWN_MEMBER_ID");
    assert.equal(unknownGroup.value?.errorCode, "UNKNOWN_MEMBER_ID");
    assert.equal(invalid.value?.errorCode, "INVALID_GROUP_ID");

    // A new member starts a rebalance: syncs are refused until it completes.
    h.join({ memberId: "", apiVersion: 3, clientId: "old-client" });
    await settle();
    const during = h.sync(members[1], generationId);
    await settle();
    assert.equal(during.value?.errorCode, "REBALANCE_IN_PROGRESS");
    assert.equal(h.heartbeat(members[0], generationId + 1), "ILLEGAL_GENERATION");
  });

  it("answers a parked follower's sync with REBALANCE_IN_PROGRESS when a rebalance starts", async () => {
    const h = new Harness();
    const a = await h.memberIdFor({ clientId: "a" });
    const b = await h.memberIdFor({ clientId: "b" });
    const joinA = h.join({ memberId: a, clientId: "a" });
    h.join({ memberId: b, clientId: "b" });
    await h.until(() => joinA.done);
    const syncB = h.sync(b, 1);
    await settle();
    assert.equal(syncB.done, false);
    h.join({ memberId: "", apiVersion: 3, clientId: "c" });
    await settle();
    assert.equal(syncB.value?.errorCode, "REBALANCE_IN_PROGRESS");
  });

  it("validates the JoinGroup request", async () => {
    const h = new Harness();
    const tooShort = h.join({ sessionTimeoutMs: 5_999 });
    const tooLong = h.join({ sessionTimeoutMs: 1_800_001 });
    const noGroup = h.join({ groupId: "" });
    const staleMember = h.join({ memberId: "ghost" });
    const noProtocols = h.join({ protocols: [] });
    const hugeMetadata = h.join({ protocols: [{ name: "range", metadata: Buffer.alloc(2_000_000) }] });
    await settle();
    assert.equal(tooShort.value?.errorCode, "INVALID_SESSION_TIMEOUT");
    assert.equal(tooLong.value?.errorCode, "INVALID_SESSION_TIMEOUT");
    assert.equal(noGroup.value?.errorCode, "INVALID_GROUP_ID");
    assert.equal(staleMember.value?.errorCode, "UNKNOWN_MEMBER_ID");
    assert.equal(noProtocols.value?.errorCode, "INCONSISTENT_GROUP_PROTOCOL");
    assert.equal(hugeMetadata.value?.errorCode, "INVALID_REQUEST");
  });

  it("lets JoinGroup v3 and older join without MEMBER_ID_REQUIRED", async () => {
    const h = new Harness();
    const join = h.join({ apiVersion: 3 });
    await settle();
    assert.equal(join.done, false);
    h.advance(3_000);
    await settle();
    assert.equal(join.value?.errorCode, "NONE");
    assert.equal(join.value?.memberId, "client-uuid-1");
  });

  it("selects the protocol every member supports, by votes in preference order", async () => {
    const h = new Harness();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
    const joins = [
      h.join({ apiVersion: 3, clientId: "a", protocols: p("roundrobin", "range", "sticky") }),
      h.join({ apiVersion: 3, clientId: "b", protocols: p("sticky", "range", "roundrobin") }),
      h.join({ apiVersion: 3, clientId: "c", protocols: p("sticky", "range") }),
    ];
    h.advance(10_000);
    await settle();
    // Candidates are range and sticky (roundrobin is not supported by c); votes: range 1, sticky 2.
    assert.equal(joins[0].value?.protocolName, "sticky");
    assert.deepEqual(joins[0].value?.members[0].metadata, Buffer.from("sticky"));

    const inconsistent = h.join({ apiVersion: 3, clientId: "d", protocols: p("roundrobin") });
    const wrongType = h.join({
      apiVersion: 3,
      clientId: "e",
      protocolType: "connect",
      protocols: p("sticky"),
    });
    await settle();
    assert.equal(inconsistent.value?.errorCode, "INCONSISTENT_GROUP_PROTOCOL");
    assert.equal(wrongType.value?.errorCode, "INCONSISTENT_GROUP_PROTOCOL");
  });

  it("re-sends the current generation to a member that rejoins unchanged while CompletingRebalance", async () => {
    const h = new Harness();
    const a = await h.memberIdFor();
    const join = h.join({ memberId: a });
    await h.until(() => join.done);
    const again = h.join({ memberId: a });
    await settle();
    assert.equal(again.value?.generationId, 1);
    assert.equal(again.value?.members.length, 1);
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "CompletingRebalance");
  });

  it("forgets pending member ids after the session timeout and bounds them per group", async () => {
    const h = new Harness({ config: { maxPendingMembersPerGroup: 100 } });
    const first = await h.memberIdFor();
    for (let i = 0; i < 5_000; i++) h.join();
    await settle();
    assert.ok(h.coordinator.timerCount <= 102, `timers: ${h.coordinator.timerCount}`);
    // The first id was evicted by the flood; the last ones still work until they expire.
    const stale = h.join({ memberId: first });
    await settle();
    assert.equal(stale.value?.errorCode, "UNKNOWN_MEMBER_ID");
    h.advance(10_000);
    assert.equal(h.coordinator.timerCount, 1, "only the offset expiry timer is left");
    const expired = h.join({ memberId: "client-uuid-5001" });
    await settle();
    assert.equal(expired.value?.errorCode, "UNKNOWN_MEMBER_ID");
  });

  it("refuses new members past group.max.size", async () => {
    const h = new Harness({ config: { groupMaxSize: 2 } });
    await h.stableGroup(2);
    const third = h.join({ apiVersion: 3, clientId: "third" });
    await settle();
    assert.equal(third.value?.errorCode, "GROUP_MAX_SIZE_REACHED");
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
  });

  it("times out a new member's parked join after five minutes", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(1, {
      rebalanceTimeoutMs: 600_000,
      sessionTimeoutMs: 60_000,
    });
    const late = h.join({
      apiVersion: 3,
      clientId: "late",
      rebalanceTimeoutMs: 600_000,
      sessionTimeoutMs: 60_000,
    });
    for (let i = 0; i < 10; i++) {
      h.advance(30_000);
      assert.equal(h.heartbeat(members[0], generationId), "REBALANCE_IN_PROGRESS");
    }
    await settle();
    assert.equal(late.value?.errorCode, "UNKNOWN_MEMBER_ID");
    assert.equal(late.value?.memberId, "");
  });
});

describe("static membership (KIP-345)", () => {
  async function staticGroup(h: Harness) {
    const joinA = h.join({ groupInstanceId: "i-a", clientId: "a" });
    const joinB = h.join({ groupInstanceId: "i-b", clientId: "b" });
    await h.until(() => joinA.done && joinB.done);
    const a = joinA.value!.memberId;
    const b = joinB.value!.memberId;
    assert.equal(a, "i-a-uuid-1", "static member ids start with the instance id");
    h.sync(a, 1, [
      { memberId: a, assignment: Buffer.from("for-a") },
      { memberId: b, assignment: Buffer.from("for-b") },
    ]);
    h.sync(b, 1);
    await settle();
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
    return { a, b };
  }

  it("lets a restarted static member take over without a rebalance and fences the old id", async () => {
    const h = new Harness();
    const { a, b } = await staticGroup(h);
    const before = h.log.length;
    const rejoin = h.join({ groupInstanceId: "i-b", clientId: "b" });
    await settle();
    const newB = rejoin.value!.memberId;
    assert.equal(rejoin.value?.errorCode, "NONE");
    assert.notEqual(newB, b);
    assert.equal(rejoin.value?.generationId, 1, "same generation: no rebalance");
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
    assert.deepEqual(h.coordinator.groupSummary(GROUP)?.members, [a, newB]);
    // The replacement is persisted.
    const written = h.log.slice(before);
    assert.equal(written.length, 1);
    assert.ok(
      written[0].type === "GroupMetadata" && written[0].value?.members.some((m) => m.memberId === newB),
    );

    assert.equal(h.heartbeat(b, 1, "i-b"), "FENCED_INSTANCE_ID");
    assert.equal(h.heartbeat(newB, 1, "i-b"), "NONE");
    const sync = h.sync(newB, 1, [], { groupInstanceId: "i-b" });
    await settle();
    assert.deepEqual(sync.value?.assignment, Buffer.from("for-b"), "keeps its assignment");
  });

  it("lets a restarted static leader skip the assignment (JoinGroup v9)", async () => {
    const h = new Harness();
    const { a } = await staticGroup(h);
    const rejoin = h.join({ groupInstanceId: "i-a", clientId: "a" });
    await settle();
    assert.equal(rejoin.value?.leader, rejoin.value?.memberId);
    assert.equal(rejoin.value?.skipAssignment, true);
    assert.equal(rejoin.value?.members.length, 2);
    assert.equal(h.heartbeat(a, 1, "i-a"), "FENCED_INSTANCE_ID");

    const old = h.join({ groupInstanceId: "i-a", clientId: "a", apiVersion: 8 });
    await settle();
    assert.equal(old.value?.leader, rejoin.value?.memberId, "pre-v9: told the old leader id");
    assert.notEqual(old.value?.leader, old.value?.memberId);
  });

  it("rebalances when the restarted static member changes the selected protocol", async () => {
    const h = new Harness();
    const both = [
      { name: "range", metadata: subscription(["t"]) },
      { name: "sticky", metadata: subscription(["t"]) },
    ];
    const joinA = h.join({ groupInstanceId: "i-a", clientId: "a", protocols: both });
    const joinB = h.join({ groupInstanceId: "i-b", clientId: "b", protocols: both });
    await h.until(() => joinA.done && joinB.done);
    h.sync(joinA.value!.memberId, 1, []);
    assert.equal(h.coordinator.groupSummary(GROUP)?.protocolName, "range");
    const rejoin = h.join({ groupInstanceId: "i-b", clientId: "b", protocols: [both[1]] });
    await settle();
    assert.equal(rejoin.done, false, "parked: a rebalance started");
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "PreparingRebalance");
  });

  it("removes a static member by instance id through LeaveGroup", async () => {
    const h = new Harness();
    const { a } = await staticGroup(h);
    const leave = h.record(
      h.coordinator.leaveGroup(ctx(), {
        groupId: GROUP,
        members: [{ memberId: "", groupInstanceId: "i-b" }],
      }),
    );
    assert.equal(leave.members[0].errorCode, "NONE");
    assert.deepEqual(h.coordinator.groupSummary(GROUP)?.members, [a]);
    const fenced = h.coordinator.leaveGroup(ctx(), {
      groupId: GROUP,
      members: [{ memberId: "wrong", groupInstanceId: "i-a" }],
    });
    assert.equal(fenced.response.members[0].errorCode, "FENCED_INSTANCE_ID");
  });

  it("keeps static members that do not rejoin within the rebalance timeout", async () => {
    const h = new Harness();
    const { a, b } = await staticGroup(h);
    h.join({ apiVersion: 3, clientId: "dynamic" });
    const joinA = h.join({ memberId: a, groupInstanceId: "i-a", clientId: "a" });
    // B keeps its session alive but does not rejoin; the rebalance timeout (30 s) passes.
    for (let i = 0; i < 5; i++) {
      h.advance(5_000);
      assert.equal(h.heartbeat(b, 1, "i-b"), "REBALANCE_IN_PROGRESS");
    }
    await settle();
    assert.equal(joinA.done, false);
    h.advance(5_000);
    await settle();
    assert.equal(joinA.value?.errorCode, "NONE");
    assert.equal(joinA.value?.generationId, 2);
    assert.ok(
      h.coordinator.groupSummary(GROUP)?.members.includes(b),
      "static B survives the rebalance timeout",
    );
  });
});
