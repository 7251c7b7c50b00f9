import assert from "node:assert/strict";
import {
  ApiKey,
  ErrorCode,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type SyncGroupResponse,
  Writer,
} from "@weir/protocol";
import type { RawKafkaClient } from "../support/raw-kafka-client.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

/** Broker settings that keep group tests fast: no initial rebalance delay, few offsets partitions. */
export const FAST_GROUP_CONFIG: Readonly<Record<string, string>> = {
  "group.initial.rebalance.delay.ms": "0",
  "group.min.session.timeout.ms": "100",
  "offsets.topic.num.partitions": "4",
  "num.partitions": "3",
};

export function startGroupBroker(config: Record<string, string> = {}, dataDir?: string): Promise<TestBroker> {
  return startTestBroker({ config: { ...FAST_GROUP_CONFIG, ...config }, dataDir });
}

/** ConsumerProtocolSubscription v0: version, topics, null user data. */
export function subscription(topics: readonly string[]): Buffer {
  const w = new Writer().int16(0).arrayLength(topics.length);
  for (const t of topics) w.string(t);
  return w.nullableBytes(null).toBuffer();
}

/** ConsumerProtocolAssignment v0: version, [topic, [partition]], null user data. */
export function assignment(partitions: Readonly<Record<string, readonly number[]>>): Buffer {
  const entries = Object.entries(partitions);
  const w = new Writer().int16(0).arrayLength(entries.length);
  for (const [topic, ps] of entries) {
    w.string(topic).arrayLength(ps.length);
    for (const p of ps) w.int32(p);
  }
  return w.nullableBytes(null).toBuffer();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const RETRIABLE = new Set<number>([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/** Repeats `attempt` while `errorOf` says the coordinator is loading or moving (as clients do). */
export async function retrying<T>(
  attempt: () => Promise<T>,
  errorOf: (r: T) => number,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (!RETRIABLE.has(errorOf(result)) || Date.now() > deadline) return result;
    await sleep(20);
  }
}

/** Creates a topic through Metadata auto-creation (num.partitions partitions) and waits for it. */
export async function createTopic(client: RawKafkaClient, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await client.send(ApiKey.Metadata, 4, {
      topics: [{ name }],
      allowAutoTopicCreation: true,
    });
    const topic = response.topics.find((t) => t.name === name);
    if (topic?.errorCode === ErrorCode.NONE && topic.partitions.length > 0) return;
    if (Date.now() > deadline) assert.fail(`topic ${name} was not created: ${JSON.stringify(topic)}`);
    await sleep(20);
  }
}

export interface JoinOptions {
  readonly groupId: string;
  readonly memberId?: string;
  readonly groupInstanceId?: string | null;
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly topics?: readonly string[];
  readonly protocolName?: string;
}

export function joinRequest(options: JoinOptions): JoinGroupRequest {
  return {
    groupId: options.groupId,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 10_000,
    memberId: options.memberId ?? "",
    groupInstanceId: options.groupInstanceId ?? null,
    protocolType: "consumer",
    protocols: [{ name: options.protocolName ?? "range", metadata: subscription(options.topics ?? ["t"]) }],
    reason: null,
  };
}

/** JoinGroup; on v4+ a new member's MEMBER_ID_REQUIRED is answered by rejoining with the id. */
export async function join(
  client: RawKafkaClient,
  version: number,
  options: JoinOptions,
): Promise<JoinGroupResponse> {
  const send = (memberId: string) =>
    retrying(
      () => client.send(ApiKey.JoinGroup, version, joinRequest({ ...options, memberId })),
      (r) => r.errorCode,
    );
  const first = await send(options.memberId ?? "");
  if (first.errorCode !== ErrorCode.MEMBER_ID_REQUIRED) return first;
  return send(first.memberId);
}

export function sync(
  client: RawKafkaClient,
  version: number,
  groupId: string,
  joined: JoinGroupResponse,
  assignments: { memberId: string; assignment: Buffer }[] = [],
): Promise<SyncGroupResponse> {
  return client.send(ApiKey.SyncGroup, version, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocolName: joined.protocolName ?? "range",
    assignments,
  });
}

/** Joins a one-member group and syncs it to Stable; returns the join response. */
export async function joinStable(
  client: RawKafkaClient,
  groupId: string,
  topics: readonly string[] = ["t"],
  sessionTimeoutMs = 10_000,
): Promise<JoinGroupResponse> {
  const joined = await join(client, 9, { groupId, topics, sessionTimeoutMs });
  assert.equal(joined.errorCode, ErrorCode.NONE);
  const synced = await sync(client, 5, groupId, joined, [
    { memberId: joined.memberId, assignment: assignment(Object.fromEntries(topics.map((t) => [t, [0]]))) },
  ]);
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return joined;
}

/** Commits offsets outside group management (generation -1), OffsetCommit v8. */
export async function commitSimple(
  client: RawKafkaClient,
  groupId: string,
  topic: string,
  offsets: Readonly<Record<number, number>>,
): Promise<void> {
  const response = await retrying(
    () =>
      client.send(ApiKey.OffsetCommit, 8, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [
          {
            name: topic,
            partitions: Object.entries(offsets).map(([p, offset]) => ({
              partitionIndex: Number(p),
              committedOffset: BigInt(offset),
              committedLeaderEpoch: -1,
              committedMetadata: `m${p}`,
            })),
          },
        ],
      }),
    (r) => r.topics[0]?.partitions[0]?.errorCode ?? 0,
  );
  for (const p of response.topics[0]!.partitions)
    assert.equal(p.errorCode, ErrorCode.NONE, `commit ${groupId} ${topic}-${p.partitionIndex}`);
}

/** Committed offsets of a group's topic (OffsetFetch v7), partition → offset. */
export async function fetchOffsets(
  client: RawKafkaClient,
  groupId: string,
  topic: string,
  partitions: readonly number[],
): Promise<Record<number, number>> {
  const response = await retrying(
    () =>
      client.send(ApiKey.OffsetFetch, 7, {
        groupId,
        topics: [{ name: topic, partitionIndexes: [...partitions] }],
        requireStable: true,
      }),
    (r) => r.errorCode ?? 0,
  );
  assert.equal(response.errorCode, ErrorCode.NONE);
  const out: Record<number, number> = {};
  for (const p of response.topics?.[0]?.partitions ?? []) out[p.partitionIndex] = Number(p.committedOffset);
  return out;
}

/** Polls DescribeGroups until the group reaches `state` (or fails after the timeout). */
export async function waitForState(
  client: RawKafkaClient,
  groupId: string,
  state: string,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await client.send(ApiKey.DescribeGroups, 5, {
      groups: [groupId],
      includeAuthorizedOperations: false,
    });
    const group = response.groups[0]!;
    if (group.groupState === state) return group;
    if (Date.now() > deadline) assert.fail(`group ${groupId} is ${group.groupState}, expected ${state}`);
    await sleep(25);
  }
}
