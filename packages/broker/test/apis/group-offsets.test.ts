import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ApiKey, ErrorCode } from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import type { TestBroker } from "../support/test-broker.js";
import {
  commitSimple,
  createTopic,
  fetchOffsets,
  join,
  joinStable,
  retrying,
  startGroupBroker,
  sync,
} from "./group-test-kit.js";

describe("offset commit and fetch over the wire", () => {
  let broker: TestBroker;
  let client: RawKafkaClient;

  before(async () => {
    broker = await startGroupBroker();
    client = await RawKafkaClient.connect(broker.bootstrap);
    await createTopic(client, "t");
    await createTopic(client, "u");
  });

  after(async () => {
    client.close();
    await broker.destroy();
  });

  test("OffsetCommit at every version outside group management, read back at every OffsetFetch version", async () => {
    for (let version = 0; version <= 9; version++) {
      const groupId = `simple-${version}`;
      const response = await retrying(
        () =>
          client.send(ApiKey.OffsetCommit, version, {
            groupId,
            generationIdOrMemberEpoch: -1,
            memberId: "",
            groupInstanceId: null,
            retentionTimeMs: version >= 2 && version <= 4 ? 60_000n : -1n,
            topics: [
              {
                name: "t",
                partitions: [
                  {
                    partitionIndex: 1,
                    committedOffset: BigInt(100 + version),
                    committedLeaderEpoch: 3,
                    commitTimestamp: version === 1 ? 1_700_000_000_000n : -1n,
                    committedMetadata: version === 0 ? null : `v${version}`,
                  },
                ],
              },
            ],
          }),
        (r) => r.topics[0]!.partitions[0]!.errorCode,
      );
      assert.equal(response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE, `commit v${version}`);
    }
    for (let commitVersion = 0; commitVersion <= 9; commitVersion++) {
      const groupId = `simple-${commitVersion}`;
      for (let version = 0; version <= 9; version++) {
        let partition: {
          committedOffset: bigint;
          committedLeaderEpoch?: number;
          metadata: string | null;
          errorCode: number;
        };
        if (version >= 8) {
          const r = await client.send(ApiKey.OffsetFetch, version, {
            groups: [{ groupId, topics: [{ name: "t", partitionIndexes: [1] }] }],
            requireStable: false,
          });
          partition = r.groups![0]!.topics[0]!.partitions[0]!;
        } else {
          const r = await client.send(ApiKey.OffsetFetch, version, {
            groupId,
            topics: [{ name: "t", partitionIndexes: [1] }],
          });
          partition = r.topics![0]!.partitions[0]!;
        }
        const what = `commit v${commitVersion}, fetch v${version}`;
        assert.equal(partition.errorCode, ErrorCode.NONE, what);
        assert.equal(partition.committedOffset, BigInt(100 + commitVersion), what);
        assert.equal(partition.metadata, commitVersion === 0 ? "" : `v${commitVersion}`, what);
        if (version >= 5) assert.equal(partition.committedLeaderEpoch, commitVersion >= 6 ? 3 : -1, what);
      }
    }
  });

  test("OffsetFetch v2+ with null topics returns every committed partition; unknown groups have none", async () => {
    await commitSimple(client, "all", "t", { 0: 5, 2: 7 });
    await commitSimple(client, "all", "u", { 1: 9 });
    const response = await client.send(ApiKey.OffsetFetch, 2, { groupId: "all", topics: null });
    assert.equal(response.errorCode, ErrorCode.NONE);
    const seen = response
      .topics!.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}=${p.committedOffset}`))
      .sort();
    assert.deepEqual(seen, ["t-0=5", "t-2=7", "u-1=9"]);

    const unknown = await client.send(ApiKey.OffsetFetch, 6, { groupId: "nobody", topics: null });
    assert.equal(unknown.errorCode, ErrorCode.NONE);
    assert.deepEqual(unknown.topics, []);
    const unknownPartitions = await fetchOffsets(client, "nobody", "t", [0, 1]);
    assert.deepEqual(unknownPartitions, { 0: -1, 1: -1 });
  });

  test("OffsetFetch v8+ answers several groups in one request", async () => {
    await commitSimple(client, "multi-a", "t", { 0: 1, 1: 2 });
    await commitSimple(client, "multi-b", "u", { 2: 30 });
    for (const version of [8, 9]) {
      const response = await client.send(ApiKey.OffsetFetch, version, {
        groups: [
          {
            groupId: "multi-a",
            memberId: null,
            memberEpoch: -1,
            topics: [{ name: "t", partitionIndexes: [0, 1, 2] }],
          },
          { groupId: "multi-b", memberId: null, memberEpoch: -1, topics: null },
          {
            groupId: "multi-none",
            memberId: null,
            memberEpoch: -1,
            topics: [{ name: "t", partitionIndexes: [0] }],
          },
        ],
        requireStable: true,
      });
      const groups = response.groups!;
      assert.deepEqual(
        groups.map((g) => [
          g.groupId,
          g.errorCode,
          g.topics.flatMap((t) =>
            t.partitions.map((p) => `${t.name}-${p.partitionIndex}=${p.committedOffset}`),
          ),
        ]),
        [
          ["multi-a", ErrorCode.NONE, ["t-0=1", "t-1=2", "t-2=-1"]],
          ["multi-b", ErrorCode.NONE, ["u-2=30"]],
          ["multi-none", ErrorCode.NONE, ["t-0=-1"]],
        ],
        `v${version}`,
      );
    }
  });

  test("commits are checked: unknown partitions, oversized metadata, stale generations, non-members", async () => {
    const response = await client.send(ApiKey.OffsetCommit, 8, {
      groupId: "checks",
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [
        {
          name: "t",
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              committedMetadata: "x".repeat(5000),
            },
            { partitionIndex: 99, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
            { partitionIndex: 1, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
        {
          name: "no-such-topic",
          partitions: [
            { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
    assert.deepEqual(
      response.topics.map((t) => t.partitions.map((p) => p.errorCode)),
      [
        [ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    );

    const groupId = "checked-group";
    const joined = await joinStable(client, groupId, ["t"]);
    const commit = (version: number, generation: number, memberId: string) =>
      client.send(ApiKey.OffsetCommit, version, {
        groupId,
        generationIdOrMemberEpoch: generation,
        memberId,
        groupInstanceId: null,
        topics: [
          {
            name: "t",
            partitions: [
              { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      });
    const stale = await commit(8, joined.generationId + 1, joined.memberId);
    assert.equal(stale.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
    const stranger = await commit(8, joined.generationId, "someone-else");
    assert.equal(stranger.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const simple = await commit(8, -1, "");
    assert.equal(simple.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const member = await commit(8, joined.generationId, joined.memberId);
    assert.equal(member.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    // v9: a generation for a group that does not exist is GROUP_ID_NOT_FOUND; before, ILLEGAL_GENERATION.
    const ghost9 = await client.send(ApiKey.OffsetCommit, 9, {
      groupId: "ghost",
      generationIdOrMemberEpoch: 4,
      memberId: "m",
      groupInstanceId: null,
      topics: [
        {
          name: "t",
          partitions: [
            { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
    assert.equal(ghost9.topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const ghost8 = await client.send(ApiKey.OffsetCommit, 8, {
      groupId: "ghost",
      generationIdOrMemberEpoch: 4,
      memberId: "m",
      groupInstanceId: null,
      topics: [
        {
          name: "t",
          partitions: [
            { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
    assert.equal(ghost8.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
  });

  test("OffsetDelete removes offsets, except of topics the group's members consume", async () => {
    const groupId = "deleting";
    const joined = await joinStable(client, groupId, ["t"]);
    const commit = await client.send(ApiKey.OffsetCommit, 8, {
      groupId,
      generationIdOrMemberEpoch: joined.generationId,
      memberId: joined.memberId,
      groupInstanceId: null,
      topics: ["t", "u"].map((name) => ({
        name,
        partitions: [0, 1].map((p) => ({
          partitionIndex: p,
          committedOffset: 40n,
          committedLeaderEpoch: -1,
          committedMetadata: null,
        })),
      })),
    });
    assert.ok(commit.topics.every((t) => t.partitions.every((p) => p.errorCode === ErrorCode.NONE)));

    const response = await client.send(ApiKey.OffsetDelete, 0, {
      groupId,
      topics: [
        { name: "t", partitions: [{ partitionIndex: 0 }] },
        { name: "u", partitions: [{ partitionIndex: 0 }] },
      ],
    });
    assert.equal(response.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      response.topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)]),
      [
        ["t", [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
        ["u", [ErrorCode.NONE]],
      ],
    );
    assert.deepEqual(await fetchOffsets(client, groupId, "u", [0, 1]), { 0: -1, 1: 40 });
    assert.deepEqual(await fetchOffsets(client, groupId, "t", [0, 1]), { 0: 40, 1: 40 });

    const unknown = await client.send(ApiKey.OffsetDelete, 0, { groupId: "never", topics: [] });
    assert.equal(unknown.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  test("a member's commit in CompletingRebalance answers REBALANCE_IN_PROGRESS", async () => {
    const groupId = "completing";
    const other = await RawKafkaClient.connect(broker.bootstrap);
    try {
      const a = await joinStable(client, groupId, ["t"]);
      const bJoin = join(other, 9, { groupId });
      const a2 = await join(client, 9, { groupId, memberId: a.memberId });
      await bJoin;
      // Joined, not yet synced: the group is CompletingRebalance.
      const response = await client.send(ApiKey.OffsetCommit, 8, {
        groupId,
        generationIdOrMemberEpoch: a2.generationId,
        memberId: a2.memberId,
        groupInstanceId: null,
        topics: [
          {
            name: "t",
            partitions: [
              { partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      });
      assert.equal(response.topics[0]!.partitions[0]!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
      await sync(client, 5, groupId, a2, []);
    } finally {
      other.close();
    }
  });
});
