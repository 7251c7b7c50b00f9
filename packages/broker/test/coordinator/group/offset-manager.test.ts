import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OffsetCommitRequest } from "../../../src/coordinator/group/group-api.js";
import { ctx, GROUP, Harness, settle, subscription } from "./harness.js";

const DAY = 24 * 60 * 60_000;
const LONG_SESSION = { sessionTimeoutMs: 1_800_000 };

/** Advances `days` days, the member heartbeating every 20 minutes. */
function liveFor(h: Harness, days: number, memberId: string, generationId: number): void {
  for (let t = 0; t < days * DAY; t += 1_200_000) {
    h.advance(1_200_000);
    assert.equal(h.heartbeat(memberId, generationId), "NONE");
  }
}

function commitRequest(o: Partial<OffsetCommitRequest> & { offsets?: [string, number, number][] } = {}) {
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: number }[]>();
  for (const [topic, partition, offset] of o.offsets ?? [["orders", 0, 42]]) {
    const list = byTopic.get(topic) ?? [];
    list.push({ partitionIndex: partition, committedOffset: offset });
    byTopic.set(topic, list);
  }
  return {
    groupId: o.groupId ?? GROUP,
    generationIdOrMemberEpoch: o.generationIdOrMemberEpoch ?? -1,
    memberId: o.memberId ?? "",
    groupInstanceId: o.groupInstanceId ?? null,
    retentionTimeMs: o.retentionTimeMs ?? -1,
    topics: [...byTopic].map(([name, partitions]) => ({
      name,
      partitions: partitions.map((p) => ({ ...p, committedLeaderEpoch: 3, committedMetadata: "meta" })),
    })),
  };
}

function errors(response: { topics: readonly { partitions: readonly { errorCode: string }[] }[] }): string[] {
  return response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

describe("offset commit and fetch", () => {
  it("commits for a member of a Stable group and fetches back", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(1);
    const before = h.log.length;
    const response = h.record(
      h.coordinator.commitOffsets(
        ctx(),
        commitRequest({
          memberId: members[0],
          generationIdOrMemberEpoch: generationId,
          offsets: [
            ["orders", 0, 42],
            ["orders", 1, 7],
          ],
        }),
      ),
    );
    assert.deepEqual(errors(response), ["NONE", "NONE"]);
    const written = h.log.slice(before);
    assert.equal(written.length, 2);
    assert.deepEqual(written[0], {
      type: "OffsetCommit",
      group: GROUP,
      topic: "orders",
      partition: 0,
      value: {
        offset: 42,
        leaderEpoch: 3,
        metadata: "meta",
        commitTimestamp: h.clock.now(),
        expireTimestamp: -1,
      },
    });

    const some = h.coordinator.fetchOffsets(ctx(), {
      groupId: GROUP,
      topics: [
        { name: "orders", partitionIndexes: [1, 5] },
        { name: "other", partitionIndexes: [0] },
      ],
    });
    assert.deepEqual(some, {
      groupId: GROUP,
      errorCode: "NONE",
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 7,
              committedLeaderEpoch: 3,
              metadata: "meta",
              errorCode: "NONE",
            },
            {
              partitionIndex: 5,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: "",
              errorCode: "NONE",
            },
          ],
        },
        {
          name: "other",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: -1,
              committedLeaderEpoch: -1,
              metadata: "",
              errorCode: "NONE",
            },
          ],
        },
      ],
    });
    const all = h.coordinator.fetchOffsets(ctx(), { groupId: GROUP, topics: null });
    assert.deepEqual(
      all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])]),
      [
        [
          "orders",
          [
            [0, 42],
            [1, 7],
          ],
        ],
      ],
    );
    const unknown = h.coordinator.fetchOffsets(ctx(), { groupId: "nope", topics: null });
    assert.deepEqual(unknown.topics, []);
  });

  it("validates group commits against member id and generation", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(1);
    const commit = (o: Partial<OffsetCommitRequest>, apiVersion = 9) =>
      errors(h.record(h.coordinator.commitOffsets(ctx("client", apiVersion), commitRequest(o))))[0];

    assert.equal(
      commit({ memberId: members[0], generationIdOrMemberEpoch: generationId + 1 }),
      "ILLEGAL_GENERATION",
    );
    assert.equal(
      commit({ memberId: "stranger", generationIdOrMemberEpoch: generationId }),
      "UNKNOWN_MEMBER_ID",
    );
    assert.equal(
      commit({ memberId: members[0], generationIdOrMemberEpoch: generationId, groupInstanceId: "not-me" }),
      "UNKNOWN_MEMBER_ID",
    );
    // A standalone commit (no member, generation -1) is refused while the group has members.
    assert.equal(commit({}), "UNKNOWN_MEMBER_ID");
    // Commits to a group that does not exist with a generation: v9+ GROUP_ID_NOT_FOUND, else ILLEGAL_GENERATION.
    assert.equal(
      commit({ groupId: "ghost", memberId: "m", generationIdOrMemberEpoch: 1 }),
      "GROUP_ID_NOT_FOUND",
    );
    assert.equal(
      commit({ groupId: "ghost", memberId: "m", generationIdOrMemberEpoch: 1 }, 8),
      "ILLEGAL_GENERATION",
    );

    // While CompletingRebalance a valid member gets REBALANCE_IN_PROGRESS.
    const rejoin = h.join({ memberId: members[0], clientId: "client-0" });
    await settle();
    assert.equal(rejoin.value?.generationId, generationId + 1);
    assert.equal(
      commit({ memberId: members[0], generationIdOrMemberEpoch: generationId + 1 }),
      "REBALANCE_IN_PROGRESS",
    );
  });

  it("accepts standalone commits to Empty and unknown groups (a simple group is created)", () => {
    const h = new Harness();
    const response = h.record(h.coordinator.commitOffsets(ctx(), commitRequest({ groupId: "simple" })));
    assert.deepEqual(errors(response), ["NONE"]);
    const listed = h.coordinator.listGroups(ctx());
    assert.deepEqual(listed.groups, [
      { groupId: "simple", protocolType: "", groupState: "Empty", groupType: "classic" },
    ]);
    assert.equal(h.coordinator.committedOffset("simple", "orders", 0)?.offset, 42);
  });

  it("refuses oversized metadata per partition and unknown partitions when told about topics", () => {
    const h = new Harness({ partitionExists: (topic) => topic !== "missing" });
    const request = commitRequest({
      offsets: [
        ["orders", 0, 1],
        ["missing", 0, 1],
      ],
    });
    const big = {
      ...request,
      topics: [
        {
          name: "orders",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: "x".repeat(4_097),
            },
            {
              partitionIndex: 1,
              committedOffset: 1,
              committedLeaderEpoch: -1,
              committedMetadata: "x".repeat(4_096),
            },
          ],
        },
        request.topics[1],
      ],
    };
    const response = h.record(h.coordinator.commitOffsets(ctx(), big));
    assert.deepEqual(errors(response), ["OFFSET_METADATA_TOO_LARGE", "NONE", "UNKNOWN_TOPIC_OR_PARTITION"]);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0), undefined);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 1)?.metadata.length, 4_096);
  });

  it("deletes offsets unless the group is subscribed to the topic", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(1, {
      protocols: [{ name: "range", metadata: subscription(["orders"]) }],
    });
    h.record(
      h.coordinator.commitOffsets(
        ctx(),
        commitRequest({
          memberId: members[0],
          generationIdOrMemberEpoch: generationId,
          offsets: [
            ["orders", 0, 1],
            ["old-topic", 0, 5],
          ],
        }),
      ),
    );
    const before = h.log.length;
    const response = h.record(
      h.coordinator.deleteOffsets(ctx(), {
        groupId: GROUP,
        topics: [
          { name: "orders", partitions: [{ partitionIndex: 0 }] },
          { name: "old-topic", partitions: [{ partitionIndex: 0 }, { partitionIndex: 9 }] },
        ],
      }),
    );
    assert.deepEqual(response, {
      errorCode: "NONE",
      topics: [
        { name: "orders", partitions: [{ partitionIndex: 0, errorCode: "GROUP_SUBSCRIBED_TO_TOPIC" }] },
        {
          name: "old-topic",
          partitions: [
            { partitionIndex: 0, errorCode: "NONE" },
            { partitionIndex: 9, errorCode: "NONE" },
          ],
        },
      ],
    });
    assert.deepEqual(h.log.slice(before), [
      { type: "OffsetCommit", group: GROUP, topic: "old-topic", partition: 0, value: null },
    ]);
    assert.equal(h.coordinator.committedOffset(GROUP, "old-topic", 0), undefined);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0)?.offset, 1);

    const unknown = h.coordinator.deleteOffsets(ctx(), { groupId: "nope", topics: [] });
    assert.equal(unknown.response.errorCode, "GROUP_ID_NOT_FOUND");
  });

  it("refuses OffsetDelete on a non-Empty group of another protocol type", async () => {
    const h = new Harness();
    await h.stableGroup(1, { protocolType: "connect" });
    const response = h.coordinator.deleteOffsets(ctx(), { groupId: GROUP, topics: [] });
    assert.equal(response.response.errorCode, "NON_EMPTY_GROUP");
  });
});

describe("offset expiry", () => {
  it("expires offsets offsets.retention.minutes after the group became Empty, then the group", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(1, LONG_SESSION);
    h.record(
      h.coordinator.commitOffsets(
        ctx(),
        commitRequest({ memberId: members[0], generationIdOrMemberEpoch: generationId }),
      ),
    );
    // A Stable group subscribed to the topic keeps its offsets whatever their age.
    liveFor(h, 8, members[0], generationId);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0)?.offset, 42);

    h.record(
      h.coordinator.leaveGroup(ctx(), {
        groupId: GROUP,
        members: [{ memberId: members[0], groupInstanceId: null }],
      }),
    );
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Empty");
    h.advance(7 * DAY - 600_000);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0)?.offset, 42, "not yet");
    assert.equal(h.timerRecords.length, 0);
    // The check runs every offsets.retention.check.interval.ms (10 minutes).
    h.advance(1_200_000);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0), undefined);
    assert.deepEqual(h.timerRecords, [
      { type: "OffsetCommit", group: GROUP, topic: "orders", partition: 0, value: null },
      { type: "GroupMetadata", group: GROUP, value: null },
    ]);
    assert.equal(h.coordinator.groupSummary(GROUP), undefined);
    assert.deepEqual(h.coordinator.listGroups(ctx()).groups, []);
  });

  it("expires a commit with an explicit retention time at its own expire timestamp", () => {
    const h = new Harness();
    h.record(
      h.coordinator.commitOffsets(ctx(), commitRequest({ groupId: "simple", retentionTimeMs: 60_000 })),
    );
    const value = h.coordinator.committedOffset("simple", "orders", 0);
    assert.equal(value?.expireTimestamp, h.clock.now() + 60_000);
    h.advance(600_000);
    assert.equal(h.coordinator.committedOffset("simple", "orders", 0), undefined);
  });

  it("expires a Stable consumer group's offsets of topics it no longer subscribes to", async () => {
    const h = new Harness();
    const { members, generationId } = await h.stableGroup(1, LONG_SESSION);
    h.record(
      h.coordinator.commitOffsets(
        ctx(),
        commitRequest({
          memberId: members[0],
          generationIdOrMemberEpoch: generationId,
          offsets: [
            ["orders", 0, 1],
            ["gone", 0, 2],
          ],
        }),
      ),
    );
    liveFor(h, 8, members[0], generationId);
    assert.equal(h.coordinator.committedOffset(GROUP, "gone", 0), undefined);
    assert.equal(h.coordinator.committedOffset(GROUP, "orders", 0)?.offset, 1);
    assert.equal(h.coordinator.groupSummary(GROUP)?.state, "Stable");
  });
});
