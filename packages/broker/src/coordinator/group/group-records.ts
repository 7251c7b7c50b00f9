import type { Uuid } from "@weir/protocol";
import type { TopicPartitions } from "./assignment.js";

/**
 * The records of the group coordinator, as Kafka keeps them in `__consumer_offsets`: one record
 * per committed offset (key: group, topic, partition), one per classic group (key: group), and
 * the records of consumer groups (KIP-848): the group epoch, the group's subscribed topics, each
 * member's subscription, the target assignment and each member's current assignment. A null
 * value is a tombstone. group-record-serde.ts turns them into Kafka's bytes.
 */

/** The committed position of one partition for one group (OffsetCommitValue). */
export interface OffsetCommitValue {
  readonly offset: number;
  /** -1 when the committer gave none. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestamp: number;
  /** -1 unless the commit carried a retention time (OffsetCommit v2–v4); then record version 1. */
  readonly expireTimestamp: number;
}

export interface OffsetCommitRecord {
  readonly type: "OffsetCommit";
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly value: OffsetCommitValue | null;
}

/** One member of a classic group as of a completed rebalance (GroupMetadataValue.MemberMetadata). */
export interface GroupMetadataMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** -1 in records older than value version 1; readers then use the session timeout. */
  readonly rebalanceTimeout: number;
  readonly sessionTimeout: number;
  /** The member's metadata for the selected protocol. */
  readonly subscription: Buffer;
  readonly assignment: Buffer;
}

/** A classic group as of its last completed rebalance (GroupMetadataValue). */
export interface GroupMetadataValue {
  /** "" when the group has no protocol type (a new or simple group). */
  readonly protocolType: string;
  readonly generation: number;
  readonly protocol: string | null;
  readonly leader: string | null;
  /** When the group entered its current state; -1 when unknown. Drives offset expiry of Empty groups. */
  readonly currentStateTimestamp: number;
  readonly members: readonly GroupMetadataMember[];
}

export interface GroupMetadataRecord {
  readonly type: "GroupMetadata";
  readonly group: string;
  readonly value: GroupMetadataValue | null;
}

/** The group epoch of a consumer group (ConsumerGroupMetadataValue). */
export interface ConsumerGroupMetadataRecord {
  readonly type: "ConsumerGroupMetadata";
  readonly group: string;
  readonly value: { readonly epoch: number } | null;
}

/** A topic a consumer group subscribes to, as of the group epoch (ConsumerGroupPartitionMetadataValue). */
export interface SubscribedTopicMetadata {
  readonly topicId: Uuid;
  readonly topicName: string;
  readonly numPartitions: number;
}

/** The metadata of the topics the members subscribe to; a change bumps the group epoch. */
export interface ConsumerGroupPartitionMetadataRecord {
  readonly type: "ConsumerGroupPartitionMetadata";
  readonly group: string;
  readonly value: { readonly topics: readonly SubscribedTopicMetadata[] } | null;
}

/** A member's subscription and identity (ConsumerGroupMemberMetadataValue). */
export interface ConsumerGroupMemberMetadataValue {
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly rebalanceTimeoutMs: number;
  readonly serverAssignor: string | null;
}

export interface ConsumerGroupMemberMetadataRecord {
  readonly type: "ConsumerGroupMemberMetadata";
  readonly group: string;
  readonly memberId: string;
  readonly value: ConsumerGroupMemberMetadataValue | null;
}

/** The epoch of the group's target assignment (ConsumerGroupTargetAssignmentMetadataValue). */
export interface ConsumerGroupTargetAssignmentMetadataRecord {
  readonly type: "ConsumerGroupTargetAssignmentMetadata";
  readonly group: string;
  readonly value: { readonly assignmentEpoch: number } | null;
}

/** One member's partitions in the target assignment (ConsumerGroupTargetAssignmentMemberValue). */
export interface ConsumerGroupTargetAssignmentMemberRecord {
  readonly type: "ConsumerGroupTargetAssignmentMember";
  readonly group: string;
  readonly memberId: string;
  readonly value: { readonly topicPartitions: readonly TopicPartitions[] } | null;
}

/** Where a member is in its reconciliation (ConsumerGroupCurrentMemberAssignmentValue). */
export interface ConsumerGroupCurrentMemberAssignmentValue {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  /** Kafka's MemberState byte: 0 stable, 1 unrevoked partitions, 2 unreleased partitions. */
  readonly state: number;
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly partitionsPendingRevocation: readonly TopicPartitions[];
}

export interface ConsumerGroupCurrentMemberAssignmentRecord {
  readonly type: "ConsumerGroupCurrentMemberAssignment";
  readonly group: string;
  readonly memberId: string;
  readonly value: ConsumerGroupCurrentMemberAssignmentValue | null;
}

/** The records of consumer groups (the KIP-848 protocol), key versions 3–8. */
export type ConsumerGroupRecord =
  | ConsumerGroupMetadataRecord
  | ConsumerGroupPartitionMetadataRecord
  | ConsumerGroupMemberMetadataRecord
  | ConsumerGroupTargetAssignmentMetadataRecord
  | ConsumerGroupTargetAssignmentMemberRecord
  | ConsumerGroupCurrentMemberAssignmentRecord;

export type GroupCoordinatorRecord = OffsetCommitRecord | GroupMetadataRecord | ConsumerGroupRecord;

const CONSUMER_GROUP_RECORD_TYPES: ReadonlySet<string> = new Set<ConsumerGroupRecord["type"]>([
  "ConsumerGroupMetadata",
  "ConsumerGroupPartitionMetadata",
  "ConsumerGroupMemberMetadata",
  "ConsumerGroupTargetAssignmentMetadata",
  "ConsumerGroupTargetAssignmentMember",
  "ConsumerGroupCurrentMemberAssignment",
]);

export function isConsumerGroupRecord(record: GroupCoordinatorRecord): record is ConsumerGroupRecord {
  return CONSUMER_GROUP_RECORD_TYPES.has(record.type);
}

export function offsetCommitRecord(
  group: string,
  topic: string,
  partition: number,
  value: OffsetCommitValue,
): OffsetCommitRecord {
  return { type: "OffsetCommit", group, topic, partition, value };
}

export function offsetCommitTombstone(group: string, topic: string, partition: number): OffsetCommitRecord {
  return { type: "OffsetCommit", group, topic, partition, value: null };
}

export function groupMetadataRecord(group: string, value: GroupMetadataValue): GroupMetadataRecord {
  return { type: "GroupMetadata", group, value };
}

export function groupMetadataTombstone(group: string): GroupMetadataRecord {
  return { type: "GroupMetadata", group, value: null };
}

/** The value Kafka writes for a group that was just created by a first JoinGroup. */
export function emptyGroupMetadataValue(currentStateTimestamp: number): GroupMetadataValue {
  return {
    protocolType: "",
    generation: 0,
    protocol: null,
    leader: null,
    currentStateTimestamp,
    members: [],
  };
}
