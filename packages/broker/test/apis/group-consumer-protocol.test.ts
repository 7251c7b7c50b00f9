import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ApiKey,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  ErrorCode,
  type Uuid,
} from "@weir/protocol";
import { RawKafkaClient } from "../support/raw-kafka-client.js";
import type { TestBroker } from "../support/test-broker.js";
import { retrying, startGroupBroker } from "./group-test-kit.js";

const TOPIC = "kip848-orders";
const GROUP = "kip848-group";

/**
 * A minimal KIP-848 consumer driving ConsumerGroupHeartbeat v1 over a real connection, as a
 * client does: it joins with epoch 0, then heartbeats with its epoch and the partitions it owns,
 * and gives up at once whatever its assignment no longer lists.
 */
class Member {
  epoch = 0;
  owned: number[] = [];

  constructor(
    readonly client: RawKafkaClient,
    readonly memberId: string,
    readonly topicId: Uuid,
  ) {}

  async heartbeat(
    extra: Partial<ConsumerGroupHeartbeatRequest> = {},
  ): Promise<ConsumerGroupHeartbeatResponse> {
    const joining = this.epoch === 0;
    const response = await retrying(
      () =>
        this.client.send(ApiKey.ConsumerGroupHeartbeat, 1, {
          groupId: GROUP,
          memberId: this.memberId,
          memberEpoch: this.epoch,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: joining ? 30_000 : -1,
          subscribedTopicNames: joining ? [TOPIC] : null,
          subscribedTopicRegex: null,
          serverAssignor: null,
          topicPartitions: joining ? [] : [{ topicId: this.topicId, partitions: this.owned }],
          ...extra,
        }),
      (r) => r.errorCode,
    );
    assert.equal(response.errorCode, ErrorCode.NONE, response.errorMessage ?? "");
    this.epoch = response.memberEpoch;
    if (response.assignment !== null) {
      const mine = response.assignment.topicPartitions.find((t) => t.topicId === this.topicId);
      this.owned = [...(mine?.partitions ?? [])].sort((a, b) => a - b);
    }
    return response;
  }

  async commit(offsetOf: (partition: number) => number, epoch = this.epoch): Promise<number[]> {
    const response = await this.client.send(ApiKey.OffsetCommit, 9, {
      groupId: GROUP,
      generationIdOrMemberEpoch: epoch,
      memberId: this.memberId,
      groupInstanceId: null,
      topics: [
        {
          name: TOPIC,
          partitions: this.owned.map((p) => ({
            partitionIndex: p,
            committedOffset: BigInt(offsetOf(p)),
            committedLeaderEpoch: 0,
            committedMetadata: null,
          })),
        },
      ],
    });
    return response.topics[0]!.partitions.map((p) => p.errorCode);
  }
}

async function createTopic(client: RawKafkaClient, name: string, partitions: number): Promise<Uuid> {
  const response = await client.send(ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  const topic = response.topics[0]!;
  assert.equal(topic.errorCode, ErrorCode.NONE, topic.errorMessage ?? "");
  return topic.topicId!;
}

function describeGroup(client: RawKafkaClient) {
  return retrying(
    () =>
      client.send(ApiKey.ConsumerGroupDescribe, 0, { groupIds: [GROUP], includeAuthorizedOperations: true }),
    (r) => r.groups[0]!.errorCode,
  ).then((r) => r.groups[0]!);
}

describe("consumer groups (KIP-848) over the wire", () => {
  test("two members converge to a balanced assignment, commit with their epochs, and survive a restart", async () => {
    let broker: TestBroker | undefined = await startGroupBroker();
    let client = await RawKafkaClient.connect(broker.bootstrap);
    const dataDir = broker.dataDir;
    try {
      const versions = await client.send(ApiKey.ApiVersions, 3, {
        clientSoftwareName: "t",
        clientSoftwareVersion: "1",
      });
      const advertised = versions.apiKeys.find((k) => k.apiKey === ApiKey.ConsumerGroupHeartbeat);
      assert.deepEqual([advertised?.minVersion, advertised?.maxVersion], [0, 1]);

      const topicId = await createTopic(client, TOPIC, 6);
      const a = new Member(client, "member-a-0000000000001", topicId);
      const b = new Member(client, "member-b-0000000000002", topicId);

      const joinedA = await a.heartbeat();
      assert.equal(joinedA.memberId, a.memberId);
      assert.equal(a.epoch, 1);
      assert.deepEqual(a.owned, [0, 1, 2, 3, 4, 5]);
      assert.ok(joinedA.heartbeatIntervalMs > 0);

      await b.heartbeat();
      assert.equal(b.epoch, 2);
      assert.deepEqual(b.owned, [], "b waits until a has revoked");

      // a is asked to revoke: it keeps consuming what it keeps, in its epoch.
      await a.heartbeat();
      assert.equal(a.epoch, 1);
      assert.equal(a.owned.length, 3);
      // Converge: a few rounds of heartbeats.
      for (let round = 0; round < 3; round++) {
        await a.heartbeat();
        await b.heartbeat();
      }
      assert.deepEqual([a.epoch, b.epoch], [2, 2]);
      assert.deepEqual([...a.owned, ...b.owned].sort(), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual([a.owned.length, b.owned.length], [3, 3]);

      // Commits carry the member epoch (OffsetCommit v9).
      assert.deepEqual(await a.commit((p) => 100 + p), [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
      assert.deepEqual(await b.commit((p) => 100 + p), [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE]);
      const stale = await a.commit(() => 1, 1);
      assert.ok(stale.every((e) => e === ErrorCode.STALE_MEMBER_EPOCH));
      const old = await client.send(ApiKey.OffsetCommit, 8, {
        groupId: GROUP,
        generationIdOrMemberEpoch: a.epoch,
        memberId: a.memberId,
        groupInstanceId: null,
        topics: [
          {
            name: TOPIC,
            partitions: [
              {
                partitionIndex: a.owned[0]!,
                committedOffset: 1n,
                committedLeaderEpoch: 0,
                committedMetadata: null,
              },
            ],
          },
        ],
      });
      assert.equal(old.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNSUPPORTED_VERSION);

      const described = await describeGroup(client);
      assert.equal(described.errorCode, ErrorCode.NONE);
      assert.equal(described.groupState, "Stable");
      assert.equal(described.groupEpoch, 2);
      assert.equal(described.assignmentEpoch, 2);
      assert.equal(described.assignorName, "uniform");
      assert.equal(described.members.length, 2);
      for (const m of described.members) {
        assert.equal(m.memberEpoch, 2);
        assert.equal(m.clientId, "raw-test-client");
        assert.deepEqual(m.subscribedTopicNames, [TOPIC]);
        assert.deepEqual(m.assignment, m.targetAssignment);
        assert.equal(m.assignment.topicPartitions[0]!.topicName, TOPIC);
      }

      const listed = await client.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ["consumer"] });
      assert.deepEqual(
        listed.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]),
        [[GROUP, "consumer", "Stable", "consumer"]],
      );
      const classic = await client.send(ApiKey.DescribeGroups, 5, { groups: [GROUP] });
      assert.equal(classic.groups[0]!.groupState, "Dead", "DescribeGroups does not describe consumer groups");
      const join = await client.send(ApiKey.JoinGroup, 9, {
        groupId: GROUP,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: "",
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: Buffer.alloc(0) }],
        reason: null,
      });
      assert.equal(join.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

      // Restart on the same data directory: the group is rebuilt from __consumer_offsets.
      const before = described;
      client.close();
      await broker.close();
      broker = await startGroupBroker({}, dataDir);
      client = await RawKafkaClient.connect(broker.bootstrap);
      const after = await describeGroup(client);
      assert.deepEqual(
        { ...after, members: sortMembers(after.members) },
        { ...before, members: sortMembers(before.members) },
      );
      const offsets = await retrying(
        () =>
          client.send(ApiKey.OffsetFetch, 9, {
            groups: [
              {
                groupId: GROUP,
                memberId: null,
                memberEpoch: -1,
                topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2, 3, 4, 5] }],
              },
            ],
            requireStable: true,
          }),
        (r) => r.groups?.[0]?.errorCode ?? 0,
      );
      assert.deepEqual(
        offsets.groups![0]!.topics[0]!.partitions.map((p) => Number(p.committedOffset)),
        [100, 101, 102, 103, 104, 105],
      );
      // The members carry on with their epochs, without rejoining.
      const clientAfter = client;
      for (const m of [a, b]) {
        const moved = new Member(clientAfter, m.memberId, topicId);
        moved.epoch = m.epoch;
        moved.owned = m.owned;
        const response = await moved.heartbeat();
        assert.equal(response.memberEpoch, 2);
      }
      // Leaving: the group ends Empty and can be deleted.
      for (const m of [a, b]) {
        const left = await client.send(ApiKey.ConsumerGroupHeartbeat, 1, {
          groupId: GROUP,
          memberId: m.memberId,
          memberEpoch: -1,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: -1,
          subscribedTopicNames: null,
          subscribedTopicRegex: null,
          serverAssignor: null,
          topicPartitions: null,
        });
        assert.equal(left.errorCode, ErrorCode.NONE);
        assert.equal(left.memberEpoch, -1);
      }
      assert.equal((await describeGroup(client)).groupState, "Empty");
      const deleted = await client.send(ApiKey.DeleteGroups, 2, { groupsNames: [GROUP] });
      assert.equal(deleted.results[0]!.errorCode, ErrorCode.NONE);
      const gone = await client.send(ApiKey.ConsumerGroupDescribe, 0, {
        groupIds: [GROUP],
        includeAuthorizedOperations: false,
      });
      assert.equal(gone.groups[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    } finally {
      client.close();
      await broker?.destroy();
    }
  });

  test("answers errors as Kafka does", async () => {
    const broker = await startGroupBroker();
    const client = await RawKafkaClient.connect(broker.bootstrap);
    try {
      const send = (body: Partial<ConsumerGroupHeartbeatRequest>, version = 1) =>
        retrying(
          () =>
            client.send(ApiKey.ConsumerGroupHeartbeat, version, {
              groupId: "errors",
              memberId: "m-1",
              memberEpoch: 0,
              instanceId: null,
              rackId: null,
              rebalanceTimeoutMs: 1_000,
              subscribedTopicNames: ["x"],
              subscribedTopicRegex: null,
              serverAssignor: null,
              topicPartitions: [],
              ...body,
            }),
          (r) => r.errorCode,
        );
      assert.equal((await send({ topicPartitions: null })).errorCode, ErrorCode.INVALID_REQUEST);
      assert.equal((await send({ memberId: "" })).errorCode, ErrorCode.INVALID_REQUEST);
      const v0 = await send({ memberId: "" }, 0);
      assert.equal(v0.errorCode, ErrorCode.NONE);
      assert.ok(v0.memberId !== null && v0.memberId.length > 0);
      assert.equal((await send({ serverAssignor: "nope" })).errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
      assert.equal(
        (await send({ subscribedTopicRegex: "(" })).errorCode,
        ErrorCode.INVALID_REGULAR_EXPRESSION,
      );
      assert.equal(
        (await send({ memberEpoch: 5, memberId: v0.memberId! })).errorCode,
        ErrorCode.FENCED_MEMBER_EPOCH,
      );
      assert.equal((await send({ memberEpoch: 1, memberId: "who" })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      assert.equal(
        (await send({ groupId: "other", memberEpoch: 1 })).errorCode,
        ErrorCode.GROUP_ID_NOT_FOUND,
      );
      const response = await send({ memberEpoch: 1, memberId: "who" });
      assert.ok(response.errorMessage?.includes("who"));
    } finally {
      client.close();
      await broker.destroy();
    }
  });
});

function sortMembers<T extends { memberId: string }>(members: readonly T[]): T[] {
  return [...members].sort((x, y) => (x.memberId < y.memberId ? -1 : 1));
}
