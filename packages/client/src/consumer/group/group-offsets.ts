import { ApiKey, ErrorCode } from "@weir/protocol";
import type { Cluster } from "../../cluster/cluster.js";
import { withRetries } from "../../cluster/retry.js";
import type { ClientConfig } from "../../config/options-table.js";
import { brokerError, ClientClosedError, type KafkaError } from "../../errors.js";
import type { CommittedPartitionOffset, TopicPartition, TopicPartitionOffset } from "../consumer-types.js";
import { tpKey } from "../consumer-types.js";
import type { CoordinatorLink } from "./coordinator-link.js";

/** Who commits: a member of the current generation, or nobody (generation -1, member ""). */
export interface MemberIdentity {
  /** Generation id (classic) or member epoch (consumer protocol); -1 outside a group generation. */
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export const NO_MEMBER: MemberIdentity = Object.freeze({
  generationId: -1,
  memberId: "",
  groupInstanceId: null,
});

export interface CommittedOffset {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/** Codes after which the coordinator has to be looked up again. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.REQUEST_TIMED_OUT,
]);

/** Codes that mean this member no longer belongs to the generation it commits for. */
export const FENCED_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.FENCED_MEMBER_EPOCH,
]);

/**
 * Committed offsets of a group: OffsetCommit and OffsetFetch sent to the group coordinator.
 * Commits carry the member's generation (the coordinator refuses commits from members of an old
 * generation, so a partition's new owner cannot be overwritten).
 */
export class GroupOffsets {
  readonly #cluster: Cluster;
  readonly #config: Pick<ClientConfig, "retryBackoffMs" | "retryBackoffMaxMs">;
  readonly #link: CoordinatorLink;
  /** Told about every error code that fences the member (the membership resets itself). */
  onFenced: (code: number) => void = () => {};

  constructor(
    cluster: Cluster,
    config: Pick<ClientConfig, "retryBackoffMs" | "retryBackoffMaxMs">,
    link: CoordinatorLink,
  ) {
    this.#cluster = cluster;
    this.#config = config;
    this.#link = link;
  }

  get groupId(): string {
    return this.#link.groupId;
  }

  /**
   * Commits offsets. With `retry`, retriable failures are retried until `deadline`
   * (commitSync); without, the first failure is final (commitAsync, auto commit).
   */
  async commit(
    offsets: readonly TopicPartitionOffset[],
    member: () => MemberIdentity,
    deadline: number,
    retry: boolean,
  ): Promise<void> {
    if (offsets.length === 0) return;
    const attempt = () => this.#commitOnce(offsets, member(), deadline);
    if (!retry) {
      await attempt();
      return;
    }
    await withRetries(attempt, {
      deadline,
      backoffMs: this.#config.retryBackoffMs,
      backoffMaxMs: this.#config.retryBackoffMaxMs,
      what: `committing offsets of group ${this.groupId}`,
      aborted: () => (this.#cluster.closed ? new ClientClosedError("the consumer is closed") : undefined),
    });
  }

  async #commitOnce(
    offsets: readonly TopicPartitionOffset[],
    member: MemberIdentity,
    deadline: number,
  ): Promise<void> {
    const byTopic = new Map<string, TopicPartitionOffset[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push(o);
      byTopic.set(o.topic, list);
    }
    const { response } = await this.#link.send(
      ApiKey.OffsetCommit,
      () => ({
        groupId: this.groupId,
        generationIdOrMemberEpoch: member.generationId,
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: BigInt(o.offset),
            committedLeaderEpoch: o.leaderEpoch ?? -1,
            commitTimestamp: -1n,
            committedMetadata: o.metadata ?? "",
          })),
        })),
      }),
      deadline,
      { min: 2 },
    );
    let first: KafkaError | undefined;
    let failed = 0;
    for (const t of response.topics) {
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.NONE) continue;
        failed++;
        if (COORDINATOR_ERRORS.has(p.errorCode)) this.#link.invalidate();
        if (FENCED_ERRORS.has(p.errorCode)) this.onFenced(p.errorCode);
        first ??= brokerError(p.errorCode, `committing offsets of group ${this.groupId}`, {
          topic: t.name,
          partition: p.partitionIndex,
        });
      }
    }
    if (first !== undefined) {
      if (failed > 1) first.message = `${first.message} (and ${failed - 1} more partition(s))`;
      throw first;
    }
  }

  /**
   * The committed offsets of `partitions` (all of the group's when null); partitions without a
   * committed offset are absent. Retries retriable errors (an unstable offset of a pending
   * transaction, a moving coordinator) until `deadline`.
   */
  async fetch(
    partitions: readonly TopicPartition[] | null,
    deadline: number,
    member: MemberIdentity | null = null,
  ): Promise<Map<string, CommittedOffset & TopicPartition>> {
    return withRetries(() => this.#fetchOnce(partitions, member, deadline), {
      deadline,
      backoffMs: this.#config.retryBackoffMs,
      backoffMaxMs: this.#config.retryBackoffMaxMs,
      what: `fetching committed offsets of group ${this.groupId}`,
      aborted: () => (this.#cluster.closed ? new ClientClosedError("the client is closed") : undefined),
    });
  }

  /** The committed offsets of `partitions`, in the order given; offset -1 where there is none. */
  async committed(
    partitions: readonly TopicPartition[],
    deadline: number,
    member: MemberIdentity | null,
  ): Promise<CommittedPartitionOffset[]> {
    const found = await this.fetch(partitions, deadline, member);
    return partitions.map((tp) => {
      const c = found.get(tpKey(tp.topic, tp.partition));
      return {
        topic: tp.topic,
        partition: tp.partition,
        offset: c?.offset ?? -1,
        leaderEpoch: c?.leaderEpoch ?? -1,
        metadata: c?.metadata ?? null,
      };
    });
  }

  async #fetchOnce(
    partitions: readonly TopicPartition[] | null,
    member: MemberIdentity | null,
    deadline: number,
  ): Promise<Map<string, CommittedOffset & TopicPartition>> {
    const topics =
      partitions === null
        ? null
        : [
            ...partitions
              .reduce(
                (m, tp) => m.set(tp.topic, [...(m.get(tp.topic) ?? []), tp.partition]),
                new Map<string, number[]>(),
              )
              .entries(),
          ].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const { version, response } = await this.#link.send(
      ApiKey.OffsetFetch,
      (v) =>
        v >= 8
          ? {
              groups: [
                {
                  groupId: this.groupId,
                  memberId: member !== null && member.memberId !== "" ? member.memberId : null,
                  memberEpoch: member?.generationId ?? -1,
                  topics,
                },
              ],
              requireStable: true,
            }
          : { groupId: this.groupId, topics, requireStable: true },
      deadline,
      { min: partitions === null ? 2 : 1 },
    );
    let groupError = ErrorCode.NONE as number;
    let results: {
      name: string;
      partitions: {
        partitionIndex: number;
        committedOffset: bigint;
        committedLeaderEpoch?: number;
        metadata: string | null;
        errorCode: number;
      }[];
    }[];
    if (version >= 8) {
      const g = response.groups?.find((x) => x.groupId === this.groupId);
      groupError = g?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      results = g?.topics ?? [];
    } else {
      groupError = response.errorCode ?? ErrorCode.NONE;
      results = response.topics ?? [];
    }
    if (groupError !== ErrorCode.NONE) {
      if (COORDINATOR_ERRORS.has(groupError)) this.#link.invalidate();
      if (FENCED_ERRORS.has(groupError)) this.onFenced(groupError);
      throw brokerError(groupError, `fetching committed offsets of group ${this.groupId}`);
    }
    const out = new Map<string, CommittedOffset & TopicPartition>();
    for (const t of results) {
      for (const p of t.partitions) {
        if (p.errorCode !== ErrorCode.NONE) {
          if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
          throw brokerError(p.errorCode, `fetching the committed offset of ${t.name}-${p.partitionIndex}`, {
            topic: t.name,
            partition: p.partitionIndex,
          });
        }
        const offset = Number(p.committedOffset);
        if (offset < 0) continue;
        out.set(tpKey(t.name, p.partitionIndex), {
          topic: t.name,
          partition: p.partitionIndex,
          offset,
          leaderEpoch: p.committedLeaderEpoch ?? -1,
          metadata: p.metadata,
        });
      }
    }
    return out;
  }
}
