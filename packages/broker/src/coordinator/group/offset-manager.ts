import { assertNever } from "../../errors.js";
import type { ClassicGroup } from "./classic-group.js";
import type { ClassicGroupManager } from "./classic-group-manager.js";
import type { ConsumerGroup } from "./consumer-group.js";
import type { ConsumerGroupManager } from "./consumer-group-manager.js";
import type {
  GroupResult,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetCommitResponsePartition,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetDeleteResponseTopic,
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetFetchResponsePartition,
  OffsetFetchResponseTopic,
  RequestContext,
} from "./group-api.js";
import type { GroupCoordinatorConfig } from "./group-coordinator-config.js";
import type { GroupErrorCode } from "./group-error.js";
import {
  type GroupCoordinatorRecord,
  type OffsetCommitRecord,
  type OffsetCommitValue,
  offsetCommitRecord,
  offsetCommitTombstone,
} from "./group-records.js";
import type { Clock } from "./scheduler.js";

export interface OffsetManagerDeps {
  readonly clock: Clock;
  readonly config: GroupCoordinatorConfig;
  readonly groups: ClassicGroupManager;
  readonly consumerGroups: ConsumerGroupManager;
  /** When given, commits to partitions it does not know answer UNKNOWN_TOPIC_OR_PARTITION. */
  readonly partitionExists?: (topic: string, partition: number) => boolean;
}

/**
 * Committed offsets of the groups of one coordinator: OffsetCommit (validated against the
 * group's generation and members), OffsetFetch, OffsetDelete, and expiry. Operations only build
 * records; the offsets change when those records are replayed.
 */
export class OffsetManager {
  /** group → topic → partition → committed offset */
  readonly #offsets = new Map<string, Map<string, Map<number, OffsetCommitValue>>>();
  readonly #clock: Clock;
  readonly #config: GroupCoordinatorConfig;
  readonly #groups: ClassicGroupManager;
  readonly #consumerGroups: ConsumerGroupManager;
  readonly #partitionExists: ((topic: string, partition: number) => boolean) | undefined;

  constructor(deps: OffsetManagerDeps) {
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#groups = deps.groups;
    this.#consumerGroups = deps.consumerGroups;
    this.#partitionExists = deps.partitionExists;
  }

  hasOffsets(groupId: string): boolean {
    return this.#offsets.has(groupId);
  }

  offset(groupId: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.#offsets.get(groupId)?.get(topic)?.get(partition);
  }

  // ---------------------------------------------------------------- OffsetCommit

  commit(ctx: RequestContext, req: OffsetCommitRequest): GroupResult<OffsetCommitResponse> {
    const error = this.#validateCommit(ctx, req);
    if (error !== "NONE") {
      return { records: [], response: { topics: allPartitions(req, error) } };
    }
    const group = this.#groups.groups.get(req.groupId);
    // A commit from a member of a Stable (or rebalancing) group also proves it is alive.
    if (group !== undefined && (group.state === "Stable" || group.state === "PreparingRebalance")) {
      this.#groups.touchMember(group, req.memberId);
    }
    const now = this.#clock.now();
    const expireTimestamp = req.retentionTimeMs === -1 ? -1 : now + req.retentionTimeMs;
    const records: GroupCoordinatorRecord[] = [];
    const topics = req.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p): OffsetCommitResponsePartition => {
        const metadata = p.committedMetadata ?? "";
        let errorCode: GroupErrorCode = "NONE";
        if (metadata.length > this.#config.offsetMetadataMaxBytes) {
          errorCode = "OFFSET_METADATA_TOO_LARGE";
        } else if (
          this.#partitionExists !== undefined &&
          !this.#partitionExists(topic.name, p.partitionIndex)
        ) {
          errorCode = "UNKNOWN_TOPIC_OR_PARTITION";
        } else {
          const commitTimestamp =
            p.commitTimestamp === undefined || p.commitTimestamp === -1 ? now : p.commitTimestamp;
          records.push(
            offsetCommitRecord(req.groupId, topic.name, p.partitionIndex, {
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch,
              metadata,
              commitTimestamp,
              expireTimestamp,
            }),
          );
        }
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    }));
    return { records, response: { topics } };
  }

  #validateCommit(ctx: RequestContext, req: OffsetCommitRequest): GroupErrorCode {
    const consumerGroup = this.#consumerGroups.groups.get(req.groupId);
    if (consumerGroup !== undefined) return validateConsumerGroupCommit(ctx, req, consumerGroup);
    const group = this.#groups.groups.get(req.groupId);
    const generation = req.generationIdOrMemberEpoch;
    if (group === undefined) {
      // Commits outside group management create a "simple" group (when their records replay).
      if (generation < 0) return "NONE";
      return ctx.apiVersion >= 9 ? "GROUP_ID_NOT_FOUND" : "ILLEGAL_GENERATION";
    }
    if (group.state === "Dead") return "COORDINATOR_NOT_AVAILABLE";
    if (generation < 0 && group.state === "Empty") return "NONE";
    if (generation >= 0 || req.memberId !== "" || req.groupInstanceId !== null) {
      const error = group.validateMember(req.memberId, req.groupInstanceId);
      if (error !== "NONE") return error;
      if (generation !== group.generationId) return "ILLEGAL_GENERATION";
    } else if (group.state !== "Empty") {
      // No member id and no generation: only an Empty group accepts such commits.
      return "UNKNOWN_MEMBER_ID";
    }
    // Valid member and generation, but the member has not got its assignment yet.
    if (group.state === "CompletingRebalance") return "REBALANCE_IN_PROGRESS";
    return "NONE";
  }

  // ---------------------------------------------------------------- OffsetFetch

  fetch(req: OffsetFetchRequest): OffsetFetchResponse {
    const consumerGroup = this.#consumerGroups.groups.get(req.groupId);
    if (consumerGroup !== undefined) {
      const error = validateConsumerGroupFetch(req, consumerGroup);
      if (error !== "NONE") return { groupId: req.groupId, errorCode: error, topics: [] };
    }
    const group = this.#groups.groups.get(req.groupId);
    const known = consumerGroup !== undefined || (group !== undefined && group.state !== "Dead");
    const offsets = known ? this.#offsets.get(req.groupId) : undefined;
    const topics: OffsetFetchResponseTopic[] = [];
    if (req.topics === null) {
      for (const [name, partitions] of offsets ?? []) {
        const list: OffsetFetchResponsePartition[] = [];
        for (const [partitionIndex, value] of partitions) list.push(fetched(partitionIndex, value));
        topics.push({ name, partitions: list });
      }
    } else {
      for (const topic of req.topics) {
        const committed = offsets?.get(topic.name);
        topics.push({
          name: topic.name,
          partitions: topic.partitionIndexes.map((p) => fetched(p, committed?.get(p))),
        });
      }
    }
    return { groupId: req.groupId, errorCode: "NONE", topics };
  }

  // ---------------------------------------------------------------- OffsetDelete

  delete(req: OffsetDeleteRequest): GroupResult<OffsetDeleteResponse> {
    if (req.groupId === "") return { records: [], response: { errorCode: "INVALID_GROUP_ID", topics: [] } };
    const consumerGroup = this.#consumerGroups.groups.get(req.groupId);
    const group = this.#groups.groups.get(req.groupId);
    if (group === undefined && consumerGroup === undefined)
      return { records: [], response: { errorCode: "GROUP_ID_NOT_FOUND", topics: [] } };
    // Consumer groups always allow it (for the topics they do not subscribe to).
    const error = group === undefined ? "NONE" : validateOffsetDelete(group);
    if (error !== "NONE") return { records: [], response: { errorCode: error, topics: [] } };
    const isSubscribedToTopic = (topic: string) =>
      consumerGroup !== undefined
        ? this.#consumerGroups.isSubscribedToTopic(consumerGroup, topic)
        : group!.isSubscribedToTopic(topic);
    const records: GroupCoordinatorRecord[] = [];
    const topics: OffsetDeleteResponseTopic[] = req.topics.map((topic) => {
      // Offsets of a topic the members consume would come straight back: refuse them.
      if (isSubscribedToTopic(topic.name)) {
        return {
          name: topic.name,
          partitions: topic.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: "GROUP_SUBSCRIBED_TO_TOPIC" as const,
          })),
        };
      }
      for (const p of topic.partitions) {
        if (this.offset(req.groupId, topic.name, p.partitionIndex) !== undefined) {
          records.push(offsetCommitTombstone(req.groupId, topic.name, p.partitionIndex));
        }
      }
      return {
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: "NONE" as const,
        })),
      };
    });
    return { records, response: { errorCode: "NONE", topics } };
  }

  /** Tombstones for every offset of the group (DeleteGroups). */
  deleteAllOffsets(groupId: string, records: GroupCoordinatorRecord[]): void {
    for (const [topic, partitions] of this.#offsets.get(groupId) ?? []) {
      for (const partition of partitions.keys())
        records.push(offsetCommitTombstone(groupId, topic, partition));
    }
  }

  /** Tombstones for every group's offsets of deleted topics. */
  deleteTopics(topics: ReadonlySet<string>, records: GroupCoordinatorRecord[]): void {
    for (const [groupId, byTopic] of this.#offsets) {
      for (const [topic, partitions] of byTopic) {
        if (!topics.has(topic)) continue;
        for (const partition of partitions.keys())
          records.push(offsetCommitTombstone(groupId, topic, partition));
      }
    }
  }

  // ---------------------------------------------------------------- expiry

  /**
   * Adds tombstones for the group's expired offsets; true when every offset expired (or there
   * were none), so that an Empty group can go too. Kafka 2.1+ rules: the offsets of an Empty
   * group expire offsets.retention after the group became Empty; a Stable consumer group's
   * offsets of topics it no longer subscribes to expire that long after their commit; a simple
   * group's offsets that long after their commit; commits made with an explicit retention time
   * expire at their own expire timestamp.
   */
  cleanupExpiredOffsets(group: ClassicGroup, records: GroupCoordinatorRecord[]): boolean {
    const offsets = this.#offsets.get(group.groupId);
    if (offsets === undefined) return true;
    const base = expirationBase(group);
    if (base === null) return false;
    const now = this.#clock.now();
    const retentionMs = this.#config.offsetsRetentionMs;
    let allExpired = true;
    for (const [topic, partitions] of offsets) {
      if (group.isSubscribedToTopic(topic)) {
        allExpired = false;
        continue;
      }
      for (const [partition, value] of partitions) {
        const expired =
          value.expireTimestamp >= 0 ? now >= value.expireTimestamp : now - base(value) >= retentionMs;
        if (expired) records.push(offsetCommitTombstone(group.groupId, topic, partition));
        else allExpired = false;
      }
    }
    return allExpired;
  }

  /**
   * The consumer group version of cleanupExpiredOffsets: offsets of topics no member subscribes
   * to expire offsets.retention after their commit (or at their own expire timestamp).
   */
  cleanupExpiredConsumerGroupOffsets(group: ConsumerGroup, records: GroupCoordinatorRecord[]): boolean {
    const offsets = this.#offsets.get(group.groupId);
    if (offsets === undefined) return true;
    const now = this.#clock.now();
    let allExpired = true;
    for (const [topic, partitions] of offsets) {
      if (this.#consumerGroups.isSubscribedToTopic(group, topic)) {
        allExpired = false;
        continue;
      }
      for (const [partition, value] of partitions) {
        const expired =
          value.expireTimestamp >= 0
            ? now >= value.expireTimestamp
            : now - value.commitTimestamp >= this.#config.offsetsRetentionMs;
        if (expired) records.push(offsetCommitTombstone(group.groupId, topic, partition));
        else allExpired = false;
      }
    }
    return allExpired;
  }

  // ---------------------------------------------------------------- replay

  replay(record: OffsetCommitRecord): void {
    const { group, topic, partition, value } = record;
    if (value === null) {
      const byTopic = this.#offsets.get(group);
      const byPartition = byTopic?.get(topic);
      if (byTopic === undefined || byPartition === undefined) return;
      byPartition.delete(partition);
      if (byPartition.size === 0) byTopic.delete(topic);
      if (byTopic.size === 0) this.#offsets.delete(group);
      return;
    }
    // Offsets committed outside group management live in a simple group, created on demand
    // (unless a consumer group holds them).
    if (!this.#consumerGroups.groups.has(group)) this.#groups.getOrCreateGroup(group);
    let byTopic = this.#offsets.get(group);
    if (byTopic === undefined) {
      byTopic = new Map();
      this.#offsets.set(group, byTopic);
    }
    let byPartition = byTopic.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      byTopic.set(topic, byPartition);
    }
    byPartition.set(partition, value);
  }

  clear(): void {
    this.#offsets.clear();
  }
}

function fetched(partitionIndex: number, value: OffsetCommitValue | undefined): OffsetFetchResponsePartition {
  return value === undefined
    ? { partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: "NONE" }
    : {
        partitionIndex,
        committedOffset: value.offset,
        committedLeaderEpoch: value.leaderEpoch,
        metadata: value.metadata,
        errorCode: "NONE",
      };
}

function allPartitions(req: OffsetCommitRequest, errorCode: GroupErrorCode) {
  return req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));
}

/**
 * OffsetCommit to a consumer group: commits outside group management (epoch < 0) only while it
 * has no members; otherwise the member must exist, use OffsetCommit v9+ (whose generation field
 * carries the member epoch) and send its current epoch.
 */
function validateConsumerGroupCommit(
  ctx: RequestContext,
  req: OffsetCommitRequest,
  group: ConsumerGroup,
): GroupErrorCode {
  const epoch = req.generationIdOrMemberEpoch;
  if (epoch < 0 && group.size === 0) return "NONE";
  const member = group.member(req.memberId);
  if (member === undefined) return "UNKNOWN_MEMBER_ID";
  if (ctx.apiVersion < 9) return "UNSUPPORTED_VERSION";
  return epoch === member.memberEpoch ? "NONE" : "STALE_MEMBER_EPOCH";
}

/** OffsetFetch v9+ from a consumer group member: the member must exist at its current epoch. */
function validateConsumerGroupFetch(req: OffsetFetchRequest, group: ConsumerGroup): GroupErrorCode {
  const memberId = req.memberId ?? null;
  const epoch = req.memberEpoch ?? -1;
  if (memberId === null && epoch < 0) return "NONE";
  const member = memberId === null ? undefined : group.member(memberId);
  if (member === undefined) return "UNKNOWN_MEMBER_ID";
  return epoch === member.memberEpoch ? "NONE" : "STALE_MEMBER_EPOCH";
}

function validateOffsetDelete(group: ClassicGroup): GroupErrorCode {
  switch (group.state) {
    case "Dead":
      return "GROUP_ID_NOT_FOUND";
    case "Stable":
    case "PreparingRebalance":
    case "CompletingRebalance":
      // Members of non-consumer groups cannot say which topics they use.
      return group.usesConsumerProtocol ? "NONE" : "NON_EMPTY_GROUP";
    case "Empty":
      return "NONE";
    default:
      return assertNever(group.state, "group state");
  }
}

/** The time an offset's retention counts from, or null when the group's offsets do not expire now. */
function expirationBase(group: ClassicGroup): ((value: OffsetCommitValue) => number) | null {
  if (group.protocolType === null) return (v) => v.commitTimestamp;
  if (group.state === "Empty") {
    const since = group.currentStateTimestamp;
    return (v) => (since >= 0 ? since : v.commitTimestamp);
  }
  if (group.usesConsumerProtocol && group.subscribedTopics !== null && group.state === "Stable") {
    return (v) => v.commitTimestamp;
  }
  return null;
}
