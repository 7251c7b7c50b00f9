import type { Uuid } from "@weir/protocol";
import { type Assignment, EMPTY_ASSIGNMENT } from "./assignment.js";
import { type ConsumerGroupMember, isReconciledTo } from "./consumer-group-member.js";
import type { SubscribedTopicMetadata } from "./group-records.js";

/** The states of a consumer group, spelled as Kafka reports them in ListGroups and ConsumerGroupDescribe. */
export type ConsumerGroupState = "Empty" | "Assigning" | "Reconciling" | "Stable";

export const CONSUMER_GROUP_STATES: readonly string[] = [
  "Empty",
  "Assigning",
  "Reconciling",
  "Stable",
  "Dead",
];

/**
 * A consumer group of the KIP-848 protocol: its group epoch, the metadata of the topics it
 * subscribes to, its members, its target assignment and the epoch of that assignment. It is
 * changed only by replaying records (ConsumerGroupManager.replay); the indexes it keeps (static
 * members, which member owns which partition, subscription and assignor counts) follow every
 * member update.
 *
 * The state is derived, as in Kafka: Empty without members, Assigning while the group epoch is
 * ahead of the assignment epoch, Reconciling while a member has not reached its target, else
 * Stable.
 */
export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  /** Topic name → metadata of the subscribed topics that exist, as of the group epoch. */
  subscriptionMetadata: ReadonlyMap<string, SubscribedTopicMetadata> = new Map();

  readonly #members = new Map<string, ConsumerGroupMember>();
  /** instance id → member id */
  readonly #staticMembers = new Map<string, string>();
  readonly #targetAssignment = new Map<string, Assignment>();
  /** topic id → partition → the member that owns it or has yet to revoke it */
  readonly #partitionOwners = new Map<Uuid, Map<number, string>>();
  /** server assignor name → number of members asking for it */
  readonly #serverAssignors = new Map<string, number>();
  /** topic name → number of members subscribing to it by name */
  readonly #subscribedTopicNames = new Map<string, number>();
  /** regular expression → number of members subscribing with it */
  readonly #subscribedRegexes = new Map<string, number>();

  constructor(readonly groupId: string) {}

  get state(): ConsumerGroupState {
    if (this.#members.size === 0) return "Empty";
    if (this.groupEpoch > this.assignmentEpoch) return "Assigning";
    for (const m of this.#members.values()) {
      if (!isReconciledTo(m, this.assignmentEpoch)) return "Reconciling";
    }
    return "Stable";
  }

  get size(): number {
    return this.#members.size;
  }

  members(): IterableIterator<ConsumerGroupMember> {
    return this.#members.values();
  }

  member(memberId: string): ConsumerGroupMember | undefined {
    return this.#members.get(memberId);
  }

  hasMember(memberId: string): boolean {
    return this.#members.has(memberId);
  }

  staticMemberId(instanceId: string): string | undefined {
    return this.#staticMembers.get(instanceId);
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const memberId = this.#staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.#members.get(memberId);
  }

  targetAssignment(memberId: string): Assignment {
    return this.#targetAssignment.get(memberId) ?? EMPTY_ASSIGNMENT;
  }

  targetAssignments(): ReadonlyMap<string, Assignment> {
    return this.#targetAssignment;
  }

  /** The member that owns (or must still revoke) a partition, or undefined when it is free. */
  partitionOwner(topicId: Uuid, partition: number): string | undefined {
    return this.#partitionOwners.get(topicId)?.get(partition);
  }

  /** Topic names some member subscribes to by name. */
  subscribedTopicNames(): IterableIterator<string> {
    return this.#subscribedTopicNames.keys();
  }

  /** Regular expressions some member subscribes with. */
  subscribedRegexes(): IterableIterator<string> {
    return this.#subscribedRegexes.keys();
  }

  /**
   * The server assignor most members ask for, among `known` (ties go to the earlier one in
   * `known`); undefined when no member asks for a known one.
   */
  preferredServerAssignor(known: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestCount = 0;
    for (const name of known) {
      const count = this.#serverAssignors.get(name) ?? 0;
      if (count > bestCount) {
        best = name;
        bestCount = count;
      }
    }
    return best;
  }

  // ---------------------------------------------------------------- changes (replay only)

  /** Adds or replaces a member, keeping every index in step. */
  updateMember(member: ConsumerGroupMember): void {
    const old = this.#members.get(member.memberId);
    if (old !== undefined) this.#unindex(old);
    this.#members.set(member.memberId, member);
    this.#index(member);
  }

  removeMember(memberId: string): void {
    const old = this.#members.get(memberId);
    if (old === undefined) return;
    this.#unindex(old);
    this.#members.delete(memberId);
  }

  setTargetAssignment(memberId: string, assignment: Assignment): void {
    this.#targetAssignment.set(memberId, assignment);
  }

  removeTargetAssignment(memberId: string): void {
    this.#targetAssignment.delete(memberId);
  }

  #index(member: ConsumerGroupMember): void {
    if (member.instanceId !== null) this.#staticMembers.set(member.instanceId, member.memberId);
    if (member.serverAssignor !== null) count(this.#serverAssignors, member.serverAssignor, 1);
    for (const name of member.subscribedTopicNames) count(this.#subscribedTopicNames, name, 1);
    if (member.subscribedTopicRegex !== null) count(this.#subscribedRegexes, member.subscribedTopicRegex, 1);
    this.#own(member.memberId, member.assignedPartitions);
    this.#own(member.memberId, member.partitionsPendingRevocation);
  }

  #unindex(member: ConsumerGroupMember): void {
    if (member.instanceId !== null && this.#staticMembers.get(member.instanceId) === member.memberId) {
      this.#staticMembers.delete(member.instanceId);
    }
    if (member.serverAssignor !== null) count(this.#serverAssignors, member.serverAssignor, -1);
    for (const name of member.subscribedTopicNames) count(this.#subscribedTopicNames, name, -1);
    if (member.subscribedTopicRegex !== null) count(this.#subscribedRegexes, member.subscribedTopicRegex, -1);
    this.#release(member.memberId, member.assignedPartitions);
    this.#release(member.memberId, member.partitionsPendingRevocation);
  }

  #own(memberId: string, assignment: Assignment): void {
    for (const [topicId, partitions] of assignment) {
      let owners = this.#partitionOwners.get(topicId);
      if (owners === undefined) {
        owners = new Map();
        this.#partitionOwners.set(topicId, owners);
      }
      for (const p of partitions) owners.set(p, memberId);
    }
  }

  #release(memberId: string, assignment: Assignment): void {
    for (const [topicId, partitions] of assignment) {
      const owners = this.#partitionOwners.get(topicId);
      if (owners === undefined) continue;
      for (const p of partitions) if (owners.get(p) === memberId) owners.delete(p);
      if (owners.size === 0) this.#partitionOwners.delete(topicId);
    }
  }
}

function count(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}
