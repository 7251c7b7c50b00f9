import type { Uuid } from "@weir/protocol";
import { type Assignment, freezeAssignment } from "../assignment.js";
import type {
  AssignmentGroupSpec,
  AssignmentMemberSpec,
  ConsumerGroupPartitionAssignor,
  SubscribedTopicDescriber,
} from "./partition-assignor.js";

export const RANGE_ASSIGNOR_NAME = "range";

/**
 * The range assignor: each topic's partitions are cut into contiguous ranges, one per member
 * subscribed to the topic, in a fixed member order; the first `partitions % members` members get
 * one partition more. Members subscribed to the same topics with the same partition counts get
 * the same partition numbers of every topic (co-partitioning, for joins).
 *
 * The member order is by instance id for static members (so a static member that rejoins under
 * a new member id gets the same ranges back), else by member id. The assignment depends only on
 * the members and the topics, never on the previous assignment.
 */
export class RangeAssignor implements ConsumerGroupPartitionAssignor {
  readonly name = RANGE_ASSIGNOR_NAME;

  assign(group: AssignmentGroupSpec, topics: SubscribedTopicDescriber): Map<string, Assignment> {
    const subscribers = new Map<Uuid, AssignmentMemberSpec[]>();
    for (const m of group.members) {
      for (const topicId of m.subscribedTopicIds) {
        let list = subscribers.get(topicId);
        if (list === undefined) {
          list = [];
          subscribers.set(topicId, list);
        }
        list.push(m);
      }
    }
    const sets = new Map<string, Map<Uuid, Set<number>>>();
    for (const m of group.members) sets.set(m.memberId, new Map());
    for (const [topicId, members] of subscribers) {
      const numPartitions = topics.numPartitions(topicId);
      if (numPartitions <= 0) continue;
      members.sort(compareMembers);
      const quota = Math.floor(numPartitions / members.length);
      const extras = numPartitions % members.length;
      let start = 0;
      members.forEach((m, i) => {
        const length = quota + (i < extras ? 1 : 0);
        if (length === 0) return;
        const partitions = new Set<number>();
        for (let p = start; p < start + length; p++) partitions.add(p);
        sets.get(m.memberId)!.set(topicId, partitions);
        start += length;
      });
    }
    const out = new Map<string, Assignment>();
    for (const [memberId, assignment] of sets) out.set(memberId, freezeAssignment(assignment));
    return out;
  }
}

function compareMembers(a: AssignmentMemberSpec, b: AssignmentMemberSpec): number {
  // Static members (by instance id) first, then dynamic ones (by member id).
  if (a.instanceId !== null && b.instanceId === null) return -1;
  if (a.instanceId === null && b.instanceId !== null) return 1;
  const ka = a.instanceId ?? a.memberId;
  const kb = b.instanceId ?? b.memberId;
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}
