import {
  type Assignment,
  assignmentFromList,
  assignmentsEqual,
  assignmentToList,
  EMPTY_ASSIGNMENT,
} from "./assignment.js";
import type {
  ConsumerGroupCurrentMemberAssignmentValue,
  ConsumerGroupMemberMetadataValue,
} from "./group-records.js";

/**
 * Where a member is in its reconciliation, with Kafka's byte values (they are persisted in
 * ConsumerGroupCurrentMemberAssignment records).
 */
export const MemberState = {
  /** The member owns its target assignment at the current assignment epoch. */
  STABLE: 0,
  /** The member must revoke partitions before it may move to the next epoch. */
  UNREVOKED_PARTITIONS: 1,
  /** The member waits for partitions other members still have to release. */
  UNRELEASED_PARTITIONS: 2,
  /** A state written by a newer coordinator: the member is fenced and starts over. */
  UNKNOWN: 127,
} as const;

export type MemberState = (typeof MemberState)[keyof typeof MemberState];

export function memberStateFromByte(value: number): MemberState {
  switch (value) {
    case MemberState.STABLE:
    case MemberState.UNREVOKED_PARTITIONS:
    case MemberState.UNRELEASED_PARTITIONS:
      return value;
    default:
      return MemberState.UNKNOWN;
  }
}

/** A member's epoch asking to leave the group. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
/** A static member's epoch saying it leaves for now and will rejoin with its instance id. */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/**
 * One member of a consumer group (the KIP-848 protocol), as an immutable value: every change
 * builds a new member. Two records make it: ConsumerGroupMemberMetadata (who it is and what it
 * subscribes to) and ConsumerGroupCurrentMemberAssignment (its epochs, state and partitions).
 */
export interface ConsumerGroupMember {
  readonly memberId: string;
  readonly memberEpoch: number;
  /** The epoch before the last bump: a member whose response was lost may still send it. */
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Sorted, without duplicates. */
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  /** -1 when never given. */
  readonly rebalanceTimeoutMs: number;
  readonly serverAssignor: string | null;
  /** The partitions the member owns (or may use now). */
  readonly assignedPartitions: Assignment;
  /** The partitions the member must give up before its epoch moves on. */
  readonly partitionsPendingRevocation: Assignment;
}

/** A member that has not joined yet: epoch 0, nothing subscribed or assigned. */
export function newConsumerGroupMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    instanceId: null,
    rackId: null,
    clientId: "",
    clientHost: "",
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  };
}

/** Whether the member owns exactly its target assignment of `assignmentEpoch`. */
export function isReconciledTo(member: ConsumerGroupMember, assignmentEpoch: number): boolean {
  return member.state === MemberState.STABLE && member.memberEpoch === assignmentEpoch;
}

export function sortedTopicNames(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

export function sameTopicNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** Whether the fields a ConsumerGroupMemberMetadata record holds differ. */
export function memberMetadataChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.instanceId !== b.instanceId ||
    a.rackId !== b.rackId ||
    a.clientId !== b.clientId ||
    a.clientHost !== b.clientHost ||
    !sameTopicNames(a.subscribedTopicNames, b.subscribedTopicNames) ||
    a.subscribedTopicRegex !== b.subscribedTopicRegex ||
    a.rebalanceTimeoutMs !== b.rebalanceTimeoutMs ||
    a.serverAssignor !== b.serverAssignor
  );
}

/** Whether the fields a ConsumerGroupCurrentMemberAssignment record holds differ. */
export function currentAssignmentChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch !== b.memberEpoch ||
    a.previousMemberEpoch !== b.previousMemberEpoch ||
    a.state !== b.state ||
    !assignmentsEqual(a.assignedPartitions, b.assignedPartitions) ||
    !assignmentsEqual(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  );
}

export function memberMetadataValue(member: ConsumerGroupMember): ConsumerGroupMemberMetadataValue {
  return {
    instanceId: member.instanceId,
    rackId: member.rackId,
    clientId: member.clientId,
    clientHost: member.clientHost,
    subscribedTopicNames: member.subscribedTopicNames,
    subscribedTopicRegex: member.subscribedTopicRegex,
    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
    serverAssignor: member.serverAssignor,
  };
}

export function currentAssignmentValue(
  member: ConsumerGroupMember,
): ConsumerGroupCurrentMemberAssignmentValue {
  return {
    memberEpoch: member.memberEpoch,
    previousMemberEpoch: member.previousMemberEpoch,
    state: member.state,
    assignedPartitions: assignmentToList(member.assignedPartitions),
    partitionsPendingRevocation: assignmentToList(member.partitionsPendingRevocation),
  };
}

export function withMemberMetadata(
  member: ConsumerGroupMember,
  value: ConsumerGroupMemberMetadataValue,
): ConsumerGroupMember {
  return {
    ...member,
    instanceId: value.instanceId,
    rackId: value.rackId,
    clientId: value.clientId,
    clientHost: value.clientHost,
    subscribedTopicNames: sortedTopicNames(value.subscribedTopicNames),
    subscribedTopicRegex: value.subscribedTopicRegex,
    rebalanceTimeoutMs: value.rebalanceTimeoutMs,
    serverAssignor: value.serverAssignor,
  };
}

export function withCurrentAssignment(
  member: ConsumerGroupMember,
  value: ConsumerGroupCurrentMemberAssignmentValue,
): ConsumerGroupMember {
  return {
    ...member,
    memberEpoch: value.memberEpoch,
    previousMemberEpoch: value.previousMemberEpoch,
    state: memberStateFromByte(value.state),
    assignedPartitions: assignmentFromList(value.assignedPartitions),
    partitionsPendingRevocation: assignmentFromList(value.partitionsPendingRevocation),
  };
}
