import { type Assignment, assignmentToList } from "./assignment.js";
import {
  type ConsumerGroupMember,
  currentAssignmentValue,
  memberMetadataValue,
} from "./consumer-group-member.js";
import type {
  ConsumerGroupCurrentMemberAssignmentRecord,
  ConsumerGroupMemberMetadataRecord,
  ConsumerGroupMetadataRecord,
  ConsumerGroupPartitionMetadataRecord,
  ConsumerGroupRecord,
  ConsumerGroupTargetAssignmentMemberRecord,
  ConsumerGroupTargetAssignmentMetadataRecord,
  SubscribedTopicMetadata,
} from "./group-records.js";

/** Builders of the consumer group records, named after what they say. */

export function groupEpochRecord(group: string, epoch: number): ConsumerGroupMetadataRecord {
  return { type: "ConsumerGroupMetadata", group, value: { epoch } };
}

export function subscriptionMetadataRecord(
  group: string,
  topics: ReadonlyMap<string, SubscribedTopicMetadata>,
): ConsumerGroupPartitionMetadataRecord {
  return { type: "ConsumerGroupPartitionMetadata", group, value: { topics: [...topics.values()] } };
}

export function memberSubscriptionRecord(
  group: string,
  member: ConsumerGroupMember,
): ConsumerGroupMemberMetadataRecord {
  return {
    type: "ConsumerGroupMemberMetadata",
    group,
    memberId: member.memberId,
    value: memberMetadataValue(member),
  };
}

export function targetAssignmentRecord(
  group: string,
  memberId: string,
  assignment: Assignment,
): ConsumerGroupTargetAssignmentMemberRecord {
  return {
    type: "ConsumerGroupTargetAssignmentMember",
    group,
    memberId,
    value: { topicPartitions: assignmentToList(assignment) },
  };
}

export function assignmentEpochRecord(
  group: string,
  assignmentEpoch: number,
): ConsumerGroupTargetAssignmentMetadataRecord {
  return { type: "ConsumerGroupTargetAssignmentMetadata", group, value: { assignmentEpoch } };
}

export function currentAssignmentRecord(
  group: string,
  member: ConsumerGroupMember,
): ConsumerGroupCurrentMemberAssignmentRecord {
  return {
    type: "ConsumerGroupCurrentMemberAssignment",
    group,
    memberId: member.memberId,
    value: currentAssignmentValue(member),
  };
}

/** The tombstones that remove one member, in Kafka's order. */
export function memberTombstones(group: string, memberId: string): ConsumerGroupRecord[] {
  return [
    { type: "ConsumerGroupCurrentMemberAssignment", group, memberId, value: null },
    { type: "ConsumerGroupTargetAssignmentMember", group, memberId, value: null },
    { type: "ConsumerGroupMemberMetadata", group, memberId, value: null },
  ];
}

/** The tombstones that remove a whole group (members first), in Kafka's order. */
export function groupTombstones(group: string, memberIds: readonly string[]): ConsumerGroupRecord[] {
  const records: ConsumerGroupRecord[] = [];
  for (const memberId of memberIds)
    records.push({ type: "ConsumerGroupCurrentMemberAssignment", group, memberId, value: null });
  for (const memberId of memberIds)
    records.push({ type: "ConsumerGroupTargetAssignmentMember", group, memberId, value: null });
  records.push({ type: "ConsumerGroupTargetAssignmentMetadata", group, value: null });
  for (const memberId of memberIds)
    records.push({ type: "ConsumerGroupMemberMetadata", group, memberId, value: null });
  records.push({ type: "ConsumerGroupPartitionMetadata", group, value: null });
  records.push({ type: "ConsumerGroupMetadata", group, value: null });
  return records;
}
