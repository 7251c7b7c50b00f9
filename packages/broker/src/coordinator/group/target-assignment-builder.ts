import type { Uuid } from "@weir/protocol";
import { assignmentsEqual, EMPTY_ASSIGNMENT } from "./assignment.js";
import type { AssignmentMemberSpec, ConsumerGroupPartitionAssignor } from "./assignor/partition-assignor.js";
import type { ConsumerGroup } from "./consumer-group.js";
import { assignmentEpochRecord, targetAssignmentRecord } from "./consumer-group-records.js";
import { memberSubscribedTopics, type RegexCache } from "./consumer-group-subscription.js";
import type { ConsumerGroupRecord } from "./group-records.js";

/**
 * Computes the group's target assignment for its current group epoch with `assignor` and
 * returns the records that move the group there: one ConsumerGroupTargetAssignmentMember per
 * member whose target changed (or who had none), then the new assignment epoch. The input is
 * the group as persisted: its members and the subscription metadata of its epoch.
 */
export function targetAssignmentRecords(
  group: ConsumerGroup,
  assignor: ConsumerGroupPartitionAssignor,
  regexes: RegexCache,
): ConsumerGroupRecord[] {
  const metadata = group.subscriptionMetadata;
  const partitionsById = new Map<Uuid, number>();
  for (const topic of metadata.values()) partitionsById.set(topic.topicId, topic.numPartitions);
  const members = [...group.members()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  const specs: AssignmentMemberSpec[] = members.map((m) => {
    const ids = new Set<Uuid>();
    for (const name of memberSubscribedTopics(m, metadata.keys(), regexes))
      ids.add(metadata.get(name)!.topicId);
    return {
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      subscribedTopicIds: ids,
      assignment: group.targetAssignment(m.memberId),
    };
  });
  const first = specs[0]?.subscribedTopicIds;
  const homogeneous = specs.every(
    (s) =>
      s.subscribedTopicIds.size === first!.size && [...s.subscribedTopicIds].every((id) => first!.has(id)),
  );
  const assigned = assignor.assign(
    { members: specs, homogeneous },
    { numPartitions: (topicId) => partitionsById.get(topicId) ?? -1 },
  );
  const records: ConsumerGroupRecord[] = [];
  const previous = group.targetAssignments();
  for (const m of members) {
    const next = assigned.get(m.memberId) ?? EMPTY_ASSIGNMENT;
    const before = previous.get(m.memberId);
    if (before === undefined || !assignmentsEqual(before, next))
      records.push(targetAssignmentRecord(group.groupId, m.memberId, next));
  }
  records.push(assignmentEpochRecord(group.groupId, group.groupEpoch));
  return records;
}
