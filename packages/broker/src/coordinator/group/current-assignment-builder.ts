import type { Uuid } from "@weir/protocol";
import { type Assignment, freezeAssignment, ownsAnyOf, type TopicPartitions } from "./assignment.js";
import { type ConsumerGroupMember, MemberState } from "./consumer-group-member.js";

export interface ReconcileInput {
  readonly member: ConsumerGroupMember;
  /** The epoch of the group's target assignment. */
  readonly targetEpoch: number;
  /** The member's partitions in that target assignment. */
  readonly target: Assignment;
  /** The member that owns a partition (or must still revoke it); undefined when it is free. */
  readonly partitionOwner: (topicId: Uuid, partition: number) => string | undefined;
  /** What the member reported owning in this heartbeat; null when it did not say. */
  readonly owned: readonly TopicPartitions[] | null;
}

/**
 * Moves a member one step from its current assignment towards its target (KIP-848's
 * reconciliation). No partition is ever owned by two members: a member first gives up the
 * partitions that are no longer its own (it stays in its epoch, UNREVOKED_PARTITIONS, until a
 * heartbeat no longer lists them, or its rebalance timeout fences it); only then does it move
 * to the target epoch and get new partitions — and only those that their previous owners have
 * released (UNRELEASED_PARTITIONS until the rest are free). Partitions it keeps stay with it
 * throughout, so no member ever stops consuming what it keeps: there is no stop-the-world.
 *
 * Returns the member unchanged when there is nothing to do. A member in an UNKNOWN state must
 * have been fenced by the caller unless it reported owning nothing.
 */
export function reconcile(input: ReconcileInput): ConsumerGroupMember {
  const { member, targetEpoch } = input;
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch === targetEpoch
        ? member
        : nextAssignment(input, member.memberEpoch, member.assignedPartitions);
    case MemberState.UNREVOKED_PARTITIONS:
      // Still listing a partition it must give up: wait for the next heartbeat.
      if (ownsAnyOf(input.owned, member.partitionsPendingRevocation)) return member;
      return nextAssignment(input, member.memberEpoch + 1, member.assignedPartitions);
    case MemberState.UNRELEASED_PARTITIONS:
      return nextAssignment(input, member.memberEpoch, member.assignedPartitions);
    case MemberState.UNKNOWN:
      return nextAssignment(input, targetEpoch, member.assignedPartitions);
  }
}

function nextAssignment(
  input: ReconcileInput,
  epochIfRevoking: number,
  current: Assignment,
): ConsumerGroupMember {
  const { member, target, targetEpoch } = input;
  const kept = new Map<Uuid, Set<number>>();
  const toRevoke = new Map<Uuid, Set<number>>();
  const toAssign = new Map<Uuid, Set<number>>();
  let waitsForRelease = false;
  for (const topicId of new Set([...target.keys(), ...current.keys()])) {
    const targeted = target.get(topicId) ?? new Set<number>();
    const owned = current.get(topicId) ?? new Set<number>();
    const keep = new Set<number>();
    const revoke = new Set<number>();
    for (const p of owned) (targeted.has(p) ? keep : revoke).add(p);
    const assign = new Set<number>();
    for (const p of targeted) {
      if (keep.has(p)) continue;
      const owner = input.partitionOwner(topicId, p);
      // A partition goes to its new owner only once nobody else holds it.
      if (owner === undefined || owner === member.memberId) assign.add(p);
      else waitsForRelease = true;
    }
    kept.set(topicId, keep);
    toRevoke.set(topicId, revoke);
    toAssign.set(topicId, assign);
  }
  const revoking = freezeAssignment(toRevoke);
  const assigning = freezeAssignment(toAssign);

  if (revoking.size > 0 && ownsAnyOf(input.owned, revoking)) {
    // Give up first: stay in the epoch (the member keeps what it keeps) until revoked.
    return {
      ...member,
      state: MemberState.UNREVOKED_PARTITIONS,
      previousMemberEpoch: member.memberEpoch,
      memberEpoch: epochIfRevoking,
      assignedPartitions: freezeAssignment(kept),
      partitionsPendingRevocation: revoking,
    };
  }
  for (const [topicId, partitions] of assigning) {
    for (const p of partitions) kept.get(topicId)!.add(p);
  }
  return {
    ...member,
    state: waitsForRelease ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE,
    previousMemberEpoch: member.memberEpoch,
    memberEpoch: targetEpoch,
    assignedPartitions: freezeAssignment(kept),
    partitionsPendingRevocation: new Map(),
  };
}
