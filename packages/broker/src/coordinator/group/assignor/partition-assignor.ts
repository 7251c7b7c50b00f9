import type { Uuid } from "@weir/protocol";
import type { Assignment } from "../assignment.js";

/** One member as a server-side assignor sees it. */
export interface AssignmentMemberSpec {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** The ids of the existing topics the member subscribes to. */
  readonly subscribedTopicIds: ReadonlySet<Uuid>;
  /** The member's partitions in the current target assignment (the assignor keeps them when it can). */
  readonly assignment: Assignment;
}

export interface AssignmentGroupSpec {
  /** Every member, in member id order. */
  readonly members: readonly AssignmentMemberSpec[];
  /** Whether every member subscribes to the same topics. */
  readonly homogeneous: boolean;
}

/** The partition counts of the subscribed topics. */
export interface SubscribedTopicDescriber {
  /** -1 when the topic is unknown. */
  numPartitions(topicId: Uuid): number;
}

/**
 * A server-side assignor of consumer groups (KIP-848): computes the target assignment of every
 * member from the members' subscriptions and current target assignment. Pure and deterministic:
 * the same input always gives the same assignment.
 */
export interface ConsumerGroupPartitionAssignor {
  /** The name members ask for in ConsumerGroupHeartbeat's ServerAssignor. */
  readonly name: string;
  /** Member id → its partitions; every member gets an entry (possibly empty). */
  assign(group: AssignmentGroupSpec, topics: SubscribedTopicDescriber): Map<string, Assignment>;
}

/** A topic-partition, for assignors' working lists. */
export interface PartitionRef {
  readonly topicId: Uuid;
  readonly partition: number;
}

export function comparePartitions(a: PartitionRef, b: PartitionRef): number {
  if (a.topicId !== b.topicId) return a.topicId < b.topicId ? -1 : 1;
  return a.partition - b.partition;
}
