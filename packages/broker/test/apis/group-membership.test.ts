import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import type { TestBroker } from "../support/test-broker.js";
import {
  assignment,
  createTopic,
  join,
  joinRequest,
  sleep,
  startGroupBroker,
  sync,
  waitForState,
} from "./group-test-kit.js";

describe("consumer group membership over the wire", () => {
  let broker: TestBroker;
  let client: RawKafkaClient;

  before(async () => {
    broker = await startGroupBroker();
    client = await RawKafkaClient.connect(broker.bootstrap);
    await createTopic(client, "t");
  });

  after(async () => {
    client.close();
    await broker.destroy();
  });

  test("FindCoordinator answers this broker for groups at every version", async () => {
    for (let version = 0; version <= 3; version++) {
      const response = await client.send(ApiKey.FindCoordinator, version, {
        key: `g-find-${version}`,
        keyType: 0,
      });
      assert.equal(response.errorCode, ErrorCode.NONE, `v${version}`);
      assert.equal(response.nodeId, broker.nodeId);
      assert.equal(response.host, broker.host);
      assert.equal(response.port, broker.port);
      if (version >= 1) assert.equal(response.errorMessage, null);
    }
    for (let version = 4; version <= 6; version++) {
      const response = await client.send(ApiKey.FindCoordinator, version, {
        keyType: 0,
        coordinatorKeys: ["a", "b", ""],
      });
      assert.deepEqual(
        response.coordinators?.map((c) => [c.key, c.errorCode, c.nodeId, c.host, c.port]),
        ["a", "b", ""].map((k) => [k, ErrorCode.NONE, broker.nodeId, broker.host, broker.port]),
        `v${version}`,
      );
    }
  });

  test("FindCoordinator: transactions are not available yet, unknown key types are invalid", async () => {
    const txn = await client.send(ApiKey.FindCoordinator, 3, { key: "tx", keyType: 1 });
    assert.equal(txn.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(txn.nodeId, -1);
    const batched = await client.send(ApiKey.FindCoordinator, 6, { keyType: 7, coordinatorKeys: ["x"] });
    assert.equal(batched.coordinators?.[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  });

  test("__consumer_offsets exists after the first FindCoordinator, with the configured partitions", async () => {
    await client.send(ApiKey.FindCoordinator, 0, { key: "g" });
    const metadata = await client.send(ApiKey.Metadata, 4, {
      topics: [{ name: "__consumer_offsets" }],
      allowAutoTopicCreation: false,
    });
    const topic = metadata.topics[0]!;
    assert.equal(topic.errorCode, ErrorCode.NONE);
    assert.equal(topic.isInternal, true);
    assert.equal(topic.partitions.length, 4);
  });

  // One full flow per "generation" of clients: every JoinGroup version with the matching
  // versions of the other APIs (clamped to each API's newest).
  for (let level = 0; level <= 9; level++) {
    test(`join, sync, heartbeat, commit, fetch, leave with JoinGroup v${level}`, async () => {
      const groupId = `flow-${level}`;
      const syncVersion = Math.min(level, 5);
      const heartbeatVersion = Math.min(level, 4);
      const commitVersion = Math.max(1, level); // v0 commits carry no generation
      const fetchVersion = level;
      const leaveVersion = Math.min(level, 5);

      let joined = await client.send(ApiKey.JoinGroup, level, joinRequest({ groupId }));
      if (level >= 4) {
        assert.equal(joined.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
        assert.match(joined.memberId, /^raw-test-client-/);
        joined = await client.send(
          ApiKey.JoinGroup,
          level,
          joinRequest({ groupId, memberId: joined.memberId }),
        );
      }
      assert.equal(joined.errorCode, ErrorCode.NONE);
      assert.equal(joined.generationId, 1);
      assert.equal(joined.leader, joined.memberId);
      assert.equal(joined.protocolName, "range");
      if (level >= 7) assert.equal(joined.protocolType, "consumer");
      assert.equal(joined.members.length, 1);

      const myAssignment = assignment({ t: [0, 1, 2] });
      const synced = await sync(client, syncVersion, groupId, joined, [
        { memberId: joined.memberId, assignment: myAssignment },
      ]);
      assert.equal(synced.errorCode, ErrorCode.NONE);
      assert.deepEqual(synced.assignment, myAssignment);
      if (syncVersion >= 5) {
        assert.equal(synced.protocolType, "consumer");
        assert.equal(synced.protocolName, "range");
      }

      const beat = await client.send(ApiKey.Heartbeat, heartbeatVersion, {
        groupId,
        generationId: joined.generationId,
        memberId: joined.memberId,
        groupInstanceId: null,
      });
      assert.equal(beat.errorCode, ErrorCode.NONE);

      const committed = await client.send(ApiKey.OffsetCommit, commitVersion, {
        groupId,
        generationIdOrMemberEpoch: joined.generationId,
        memberId: joined.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: "t",
            partitions: [0, 1, 2].map((p) => ({
              partitionIndex: p,
              committedOffset: BigInt(10 * (p + 1) + level),
              committedLeaderEpoch: 0,
              commitTimestamp: -1n,
              committedMetadata: `meta-${p}`,
            })),
          },
        ],
      });
      assert.deepEqual(
        committed.topics[0]!.partitions.map((p) => p.errorCode),
        [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE],
      );

      const expected = [0, 1, 2].map((p) => ({
        partitionIndex: p,
        offset: 10 * (p + 1) + level,
        metadata: `meta-${p}`,
        leaderEpoch: fetchVersion >= 5 && commitVersion >= 6 ? 0 : -1,
      }));
      if (fetchVersion >= 8) {
        const fetched = await client.send(ApiKey.OffsetFetch, fetchVersion, {
          groups: [
            {
              groupId,
              memberId: null,
              memberEpoch: -1,
              topics: [{ name: "t", partitionIndexes: [0, 1, 2] }],
            },
          ],
          requireStable: true,
        });
        const group = fetched.groups![0]!;
        assert.equal(group.errorCode, ErrorCode.NONE);
        assert.deepEqual(
          group.topics[0]!.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            offset: Number(p.committedOffset),
            metadata: p.metadata,
            leaderEpoch: p.committedLeaderEpoch,
          })),
          expected,
        );
      } else {
        const fetched = await client.send(ApiKey.OffsetFetch, fetchVersion, {
          groupId,
          topics: [{ name: "t", partitionIndexes: [0, 1, 2] }],
          requireStable: false,
        });
        if (fetchVersion >= 2) assert.equal(fetched.errorCode, ErrorCode.NONE);
        assert.deepEqual(
          fetched.topics![0]!.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            offset: Number(p.committedOffset),
            metadata: p.metadata,
            leaderEpoch: p.committedLeaderEpoch ?? -1,
          })),
          expected,
        );
        for (const p of fetched.topics![0]!.partitions) assert.equal(p.errorCode, ErrorCode.NONE);
      }

      const left = await client.send(ApiKey.LeaveGroup, leaveVersion, {
        groupId,
        memberId: joined.memberId,
        members: [{ memberId: joined.memberId, groupInstanceId: null, reason: "done" }],
      });
      assert.equal(left.errorCode, ErrorCode.NONE);
      if (leaveVersion >= 3)
        assert.deepEqual(
          left.members?.map((m) => m.errorCode),
          [ErrorCode.NONE],
        );
      await waitForState(client, groupId, "Empty");
    });
  }

  test("JoinGroup v4+: a new member must rejoin with the id it was given", async () => {
    const first = await client.send(ApiKey.JoinGroup, 5, joinRequest({ groupId: "mir" }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.notEqual(first.memberId, "");
    assert.equal(first.generationId, -1);
    const again = await client.send(
      ApiKey.JoinGroup,
      5,
      joinRequest({ groupId: "mir", memberId: first.memberId }),
    );
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.equal(again.memberId, first.memberId);
    // An id the coordinator never handed out is refused.
    const stranger = await client.send(
      ApiKey.JoinGroup,
      5,
      joinRequest({ groupId: "mir", memberId: "made-up" }),
    );
    assert.equal(stranger.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test("JoinGroup checks the session timeout and the group id", async () => {
    const tooShort = await client.send(
      ApiKey.JoinGroup,
      9,
      joinRequest({ groupId: "st", sessionTimeoutMs: 10 }),
    );
    assert.equal(tooShort.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    const empty = await client.send(ApiKey.JoinGroup, 9, joinRequest({ groupId: "" }));
    assert.equal(empty.errorCode, ErrorCode.INVALID_GROUP_ID);
    // Before v7 a missing protocol name is sent as "" (the field is not nullable there).
    const old = await client.send(ApiKey.JoinGroup, 6, joinRequest({ groupId: "" }));
    assert.equal(old.errorCode, ErrorCode.INVALID_GROUP_ID);
    assert.equal(old.protocolName, "");
  });

  test("SyncGroup v5 without protocol type and name is inconsistent", async () => {
    const response = await client.send(ApiKey.SyncGroup, 5, {
      groupId: "x",
      generationId: 1,
      memberId: "m",
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    assert.equal(response.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  test("a second member triggers a rebalance; both get the new generation and their assignments", async () => {
    const groupId = "two";
    const other = await RawKafkaClient.connect(broker.bootstrap);
    try {
      const a = await join(client, 9, { groupId });
      assert.equal(a.errorCode, ErrorCode.NONE);
      await sync(client, 5, groupId, a, [{ memberId: a.memberId, assignment: assignment({ t: [0, 1, 2] }) }]);

      // B joins: the group prepares a rebalance and waits for A, whose heartbeat says so.
      const bJoin = join(other, 9, { groupId });
      await waitForState(client, groupId, "PreparingRebalance");
      const beat = await client.send(ApiKey.Heartbeat, 4, {
        groupId,
        generationId: a.generationId,
        memberId: a.memberId,
        groupInstanceId: null,
      });
      assert.equal(beat.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
      const a2 = await join(client, 9, { groupId, memberId: a.memberId });
      const b = await bJoin;
      assert.equal(a2.errorCode, ErrorCode.NONE);
      assert.equal(b.errorCode, ErrorCode.NONE);
      assert.equal(a2.generationId, 2);
      assert.equal(b.generationId, 2);
      assert.equal(a2.leader, a.memberId);
      assert.equal(b.leader, a.memberId);
      assert.equal(a2.members.length, 2);
      assert.equal(b.members.length, 0);

      const forA = assignment({ t: [0, 1] });
      const forB = assignment({ t: [2] });
      const bSync = sync(other, 5, groupId, b);
      const aSync = await sync(client, 5, groupId, a2, [
        { memberId: a.memberId, assignment: forA },
        { memberId: b.memberId, assignment: forB },
      ]);
      assert.equal(aSync.errorCode, ErrorCode.NONE);
      assert.deepEqual(aSync.assignment, forA);
      const bSynced = await bSync;
      assert.equal(bSynced.errorCode, ErrorCode.NONE);
      assert.deepEqual(bSynced.assignment, forB);
      const stable = await waitForState(client, groupId, "Stable");
      assert.equal(stable.members.length, 2);

      // B leaves (v0: one member id): A is told to rejoin and ends alone in generation 3.
      const left = await other.send(ApiKey.LeaveGroup, 0, { groupId, memberId: b.memberId });
      assert.equal(left.errorCode, ErrorCode.NONE);
      const beat2 = await client.send(ApiKey.Heartbeat, 4, {
        groupId,
        generationId: 2,
        memberId: a.memberId,
        groupInstanceId: null,
      });
      assert.equal(beat2.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
      const a3 = await join(client, 9, { groupId, memberId: a.memberId });
      assert.equal(a3.generationId, 3);
      assert.deepEqual(
        a3.members.map((m) => m.memberId),
        [a.memberId],
      );
      // Leaving twice: v3+ answers per member.
      const again = await other.send(ApiKey.LeaveGroup, 3, {
        groupId,
        members: [{ memberId: b.memberId, groupInstanceId: null }],
      });
      assert.equal(again.errorCode, ErrorCode.NONE);
      assert.deepEqual(
        again.members?.map((m) => m.errorCode),
        [ErrorCode.UNKNOWN_MEMBER_ID],
      );
    } finally {
      other.close();
    }
  });

  test("static members (v5+) join without MEMBER_ID_REQUIRED, rejoin without a rebalance, leave by instance id", async () => {
    const groupId = "static";
    const first = await client.send(ApiKey.JoinGroup, 9, joinRequest({ groupId, groupInstanceId: "pod-1" }));
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.match(first.memberId, /^pod-1-/);
    const mine = assignment({ t: [0, 1, 2] });
    const synced = await sync(client, 5, groupId, first, [{ memberId: first.memberId, assignment: mine }]);
    assert.equal(synced.errorCode, ErrorCode.NONE);

    // The process restarts and joins again with its instance id only: it gets a new member id
    // in the same generation, and the group stays Stable.
    const again = await client.send(ApiKey.JoinGroup, 9, joinRequest({ groupId, groupInstanceId: "pod-1" }));
    assert.equal(again.errorCode, ErrorCode.NONE);
    assert.notEqual(again.memberId, first.memberId);
    assert.equal(again.generationId, first.generationId);
    const described = await waitForState(client, groupId, "Stable");
    assert.deepEqual(
      described.members.map((m) => [m.memberId, m.groupInstanceId]),
      [[again.memberId, "pod-1"]],
    );
    // The old member id is fenced.
    const fenced = await client.send(ApiKey.Heartbeat, 4, {
      groupId,
      generationId: first.generationId,
      memberId: first.memberId,
      groupInstanceId: "pod-1",
    });
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);

    const left = await client.send(ApiKey.LeaveGroup, 4, {
      groupId,
      members: [{ memberId: "", groupInstanceId: "pod-1" }],
    });
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      left.members?.map((m) => [m.groupInstanceId, m.errorCode]),
      [["pod-1", ErrorCode.NONE]],
    );
    await waitForState(client, groupId, "Empty");
  });

  test("a member that stops heartbeating is removed after its session timeout", async () => {
    const groupId = "silent";
    const joined = await join(client, 9, { groupId, sessionTimeoutMs: 300 });
    assert.equal(joined.errorCode, ErrorCode.NONE);
    await sync(client, 5, groupId, joined, [
      { memberId: joined.memberId, assignment: assignment({ t: [0] }) },
    ]);
    const stable = await waitForState(client, groupId, "Stable");
    assert.equal(stable.members.length, 1);
    const started = Date.now();
    const empty = await waitForState(client, groupId, "Empty", 5_000);
    assert.ok(Date.now() - started >= 150, "removed only after the session timeout");
    assert.equal(empty.members.length, 0);
    await sleep(10);
    const beat = await client.send(ApiKey.Heartbeat, 4, {
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
    });
    assert.equal(beat.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
