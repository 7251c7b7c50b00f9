import { assertNever, WeirError } from "../../errors.js";
import { ClassicGroupMember, type JoinCallback } from "./classic-group-member.js";
import { type ClassicGroupState, isValidTransition } from "./classic-group-state.js";
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from "./consumer-protocol.js";
import type {
  GroupProtocol,
  JoinGroupResponse,
  JoinGroupResponseMember,
  SyncGroupResponse,
} from "./group-api.js";
import type { GroupErrorCode } from "./group-error.js";
import type { GroupMetadataMember, GroupMetadataValue } from "./group-records.js";

/**
 * A classic (JoinGroup/SyncGroup) consumer group: its state, generation, members, the members
 * that were handed an id but have not joined yet, and the bookkeeping the rebalance needs
 * (which members have rejoined, which have synced, which protocols every member supports).
 * Pure bookkeeping: timers and decisions live in ClassicGroupManager.
 */
export class ClassicGroup {
  state: ClassicGroupState;
  previousState: ClassicGroupState = "Dead";
  /** When the group entered its state; -1 when unknown (loaded from an old record). */
  currentStateTimestamp: number;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  /** Set when a member joins during the initial (delayed) rebalance: the delay is extended. */
  newMemberAdded = false;
  /** Topics the members subscribe to (consumer protocol); null when unknown. */
  subscribedTopics: ReadonlySet<string> | null = null;

  readonly #members = new Map<string, ClassicGroupMember>();
  /** group instance id → member id */
  readonly #staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, oldest first. */
  readonly #pendingJoinMembers = new Set<string>();
  readonly #pendingSyncMembers = new Set<string>();
  /** protocol name → number of members supporting it */
  readonly #supportedProtocols = new Map<string, number>();
  #numAwaitingJoin = 0;

  constructor(
    readonly groupId: string,
    state: ClassicGroupState,
    nowMs: number,
    init: {
      generationId?: number;
      protocolType?: string | null;
      protocolName?: string | null;
      leaderId?: string | null;
      currentStateTimestamp?: number;
    } = {},
  ) {
    this.state = state;
    this.generationId = init.generationId ?? 0;
    this.protocolType = init.protocolType ?? null;
    this.protocolName = init.protocolName ?? null;
    this.leaderId = init.leaderId ?? null;
    this.currentStateTimestamp = init.currentStateTimestamp ?? nowMs;
  }

  /**
   * Rebuilds a group from its GroupMetadata record: Empty without members, else Stable with the
   * recorded members and assignments, as Kafka loads a group on failover. Members support just
   * the selected protocol, with the recorded metadata.
   */
  static fromRecord(groupId: string, value: GroupMetadataValue, nowMs: number): ClassicGroup {
    const group = new ClassicGroup(groupId, value.members.length > 0 ? "Stable" : "Empty", nowMs, {
      generationId: value.generation,
      protocolType: value.protocolType === "" ? null : value.protocolType,
      protocolName: value.protocol,
      leaderId: value.leader,
      currentStateTimestamp: value.currentStateTimestamp,
    });
    for (const m of value.members) {
      const member = new ClassicGroupMember(
        m.memberId,
        m.groupInstanceId,
        m.clientId,
        m.clientHost,
        m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
        m.sessionTimeout,
        value.protocolType,
        [{ name: value.protocol ?? "", metadata: m.subscription }],
      );
      member.assignment = m.assignment;
      group.add(member, null);
    }
    if (group.leaderId !== null && !group.hasMember(group.leaderId)) {
      const first = group.#members.keys().next();
      group.leaderId = first.done ? null : first.value;
    }
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  /**
   * The state, read through a call: TypeScript keeps a narrowed `group.state` across calls that
   * change it, so code that re-reads the state after a transition uses this.
   */
  currentState(): ClassicGroupState {
    return this.state;
  }

  get size(): number {
    return this.#members.size;
  }

  get numAwaitingJoin(): number {
    return this.#numAwaitingJoin;
  }

  get numPendingJoinMembers(): number {
    return this.#pendingJoinMembers.size;
  }

  members(): IterableIterator<ClassicGroupMember> {
    return this.#members.values();
  }

  member(memberId: string): ClassicGroupMember | undefined {
    return this.#members.get(memberId);
  }

  hasMember(memberId: string): boolean {
    return this.#members.has(memberId);
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Whether the members are Kafka consumers (protocol type "consumer"). */
  get usesConsumerProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.#staticMembers.get(groupInstanceId);
  }

  add(member: ClassicGroupMember, joinCallback: JoinCallback | null): void {
    if (member.groupInstanceId !== null) {
      if (this.#staticMembers.has(member.groupInstanceId)) {
        throw new WeirError(
          "ILLEGAL_STATE",
          `static member ${member.groupInstanceId} is already in ${this.groupId}`,
        );
      }
      this.#staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.#members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.#members.set(member.memberId, member);
    this.#countProtocols(member.protocols, 1);
    member.awaitingJoin = joinCallback;
    if (joinCallback !== null) this.#numAwaitingJoin++;
    this.#pendingJoinMembers.delete(member.memberId);
  }

  /** Whether a JoinGroup from this member id may proceed under group.max.size. */
  acceptsJoiningMember(memberId: string, maxSize: number): boolean {
    const state = this.state;
    switch (state) {
      case "Empty":
      case "Dead":
        return true;
      case "PreparingRebalance":
        // Counting the members that rejoined (not all members) lets the last rejoiners be refused
        // when group.max.size was lowered.
        return this.#members.get(memberId)?.isAwaitingJoin === true || this.#numAwaitingJoin < maxSize;
      case "CompletingRebalance":
      case "Stable":
        return this.#members.has(memberId) || this.#members.size < maxSize;
      default:
        return assertNever(state, "group state");
    }
  }

  /** Removes a member or a pending member id; a removed leader is replaced by the first member left. */
  remove(memberId: string): void {
    const removed = this.#members.get(memberId);
    if (removed !== undefined) {
      this.#members.delete(memberId);
      this.#countProtocols(removed.protocols, -1);
      if (removed.isAwaitingJoin) this.#numAwaitingJoin--;
      if (removed.groupInstanceId !== null) this.#staticMembers.delete(removed.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.#members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.#pendingJoinMembers.delete(memberId);
    this.#pendingSyncMembers.delete(memberId);
  }

  /**
   * Keeps the leader if it rejoined, otherwise elects the first member that did. False when no
   * member rejoined (or there is no leader).
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.#members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    for (const m of this.#members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * A static member came back under a new member id: the old id is fenced (its parked requests
   * answer FENCED_INSTANCE_ID) and the new id takes over its place, assignment and leadership.
   */
  replaceStaticMember(
    groupInstanceId: string,
    oldMemberId: string,
    newMemberId: string,
    make: (old: ClassicGroupMember) => ClassicGroupMember,
  ): ClassicGroupMember {
    const old = this.#members.get(oldMemberId);
    if (old === undefined) throw new WeirError("ILLEGAL_STATE", `no member ${oldMemberId} to replace`);
    this.#members.delete(oldMemberId);
    this.completeJoin(old, {
      errorCode: "FENCED_INSTANCE_ID",
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: "",
      skipAssignment: false,
      memberId: oldMemberId,
      members: [],
    });
    this.completeSync(old, {
      errorCode: "FENCED_INSTANCE_ID",
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    });
    const replacement = make(old);
    replacement.assignment = old.assignment;
    this.#members.set(newMemberId, replacement);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.#staticMembers.set(groupInstanceId, newMemberId);
    if (this.#pendingSyncMembers.delete(oldMemberId)) this.#pendingSyncMembers.add(newMemberId);
    return replacement;
  }

  isPendingMember(memberId: string): boolean {
    return this.#pendingJoinMembers.has(memberId);
  }

  addPendingMember(memberId: string): void {
    this.#pendingJoinMembers.add(memberId);
  }

  /** The oldest pending member id, for eviction when too many pile up. */
  oldestPendingMember(): string | undefined {
    const first = this.#pendingJoinMembers.values().next();
    return first.done ? undefined : first.value;
  }

  addPendingSyncMember(memberId: string): void {
    this.#pendingSyncMembers.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.#pendingSyncMembers.delete(memberId);
  }

  hasReceivedSyncFromAllMembers(): boolean {
    return this.#pendingSyncMembers.size === 0;
  }

  pendingSyncMembers(): string[] {
    return [...this.#pendingSyncMembers];
  }

  clearPendingSyncMembers(): void {
    this.#pendingSyncMembers.clear();
  }

  notYetRejoinedMembers(): ClassicGroupMember[] {
    return [...this.#members.values()].filter((m) => !m.isAwaitingJoin);
  }

  hasAllMembersJoined(): boolean {
    return this.#members.size === this.#numAwaitingJoin && this.#pendingJoinMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long a rebalance may take. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.#members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by sync, heartbeat, leave and commit. */
  validateMember(memberId: string, groupInstanceId: string | null): GroupErrorCode {
    if (groupInstanceId !== null) {
      const existing = this.#staticMembers.get(groupInstanceId);
      if (existing === undefined) return "UNKNOWN_MEMBER_ID";
      if (existing !== memberId) return "FENCED_INSTANCE_ID";
    }
    return this.#members.has(memberId) ? "NONE" : "UNKNOWN_MEMBER_ID";
  }

  canRebalance(): boolean {
    return isValidTransition(this.state, "PreparingRebalance");
  }

  transitionTo(state: ClassicGroupState, nowMs: number): void {
    if (!isValidTransition(this.state, state)) {
      throw new WeirError("ILLEGAL_STATE", `group ${this.groupId} cannot go from ${this.state} to ${state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.currentStateTimestamp = nowMs;
  }

  /**
   * The protocol every member supports that most members prefer: each member votes for its first
   * candidate in its own preference order; ties go to the protocol that got its first vote first.
   */
  selectProtocol(): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.#supportedProtocols) {
      if (count === this.#members.size) candidates.add(name);
    }
    const votes = new Map<string, number>();
    for (const m of this.#members.values()) {
      const vote = m.vote(candidates);
      if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestVotes = 0;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    if (best === undefined)
      throw new WeirError("ILLEGAL_STATE", `no common protocol in group ${this.groupId}`);
    return best;
  }

  /**
   * Whether a member with these protocols may join: an Empty group takes any non-empty protocol
   * type and list; otherwise the type must match and one protocol must be supported by all members.
   */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.state === "Empty") return protocolType !== "" && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((p) => (this.#supportedProtocols.get(p.name) ?? 0) === this.#members.size);
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null ? this.usesConsumerProtocol : this.subscribedTopics.has(topic);
  }

  /** The union of the members' subscriptions, for consumer groups; null when unknown. */
  computeSubscribedTopics(): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.#members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.#members.values()) {
      const metadata = m.metadata(this.protocolName);
      const subscribed = metadata === undefined ? null : subscribedTopicsOf(metadata);
      if (subscribed === null) return null;
      for (const t of subscribed) topics.add(t);
    }
    return topics;
  }

  /** A member rejoined: new protocols and timeouts; a callback parks its JoinGroup. */
  updateMember(
    member: ClassicGroupMember,
    protocols: readonly GroupProtocol[],
    rebalanceTimeoutMs: number,
    sessionTimeoutMs: number,
    joinCallback: JoinCallback | null,
  ): void {
    this.#countProtocols(member.protocols, -1);
    member.protocols = protocols;
    this.#countProtocols(protocols, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (joinCallback !== null && !member.isAwaitingJoin) this.#numAwaitingJoin++;
    else if (joinCallback === null && member.isAwaitingJoin) this.#numAwaitingJoin--;
    member.awaitingJoin = joinCallback;
  }

  completeJoin(member: ClassicGroupMember, response: JoinGroupResponse): boolean {
    const callback = member.awaitingJoin;
    if (callback === null) return false;
    member.awaitingJoin = null;
    this.#numAwaitingJoin--;
    callback(response);
    return true;
  }

  completeSync(member: ClassicGroupMember, response: SyncGroupResponse): boolean {
    const callback = member.awaitingSync;
    if (callback === null) return false;
    member.awaitingSync = null;
    callback(response);
    return true;
  }

  /** Ends a join phase: next generation, protocol chosen, CompletingRebalance (or Empty). */
  initNextGeneration(nowMs: number): void {
    this.generationId++;
    if (this.#members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo("CompletingRebalance", nowMs);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo("Empty", nowMs);
    }
    this.clearPendingSyncMembers();
  }

  /** What the leader receives in its JoinGroup response. */
  leaderMembersView(): JoinGroupResponseMember[] {
    return [...this.#members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName) ?? Buffer.alloc(0),
    }));
  }

  /** The group as a GroupMetadata record value, with the given assignment per member id. */
  toRecordValue(assignment: ReadonlyMap<string, Buffer>): GroupMetadataValue {
    const members: GroupMetadataMember[] = [];
    for (const m of this.#members.values()) {
      members.push({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadata(this.protocolName) ?? Buffer.alloc(0),
        assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
      });
    }
    return {
      protocolType: this.protocolType ?? "",
      generation: this.generationId,
      protocol: this.protocolName,
      leader: this.leaderId,
      currentStateTimestamp: this.currentStateTimestamp,
      members,
    };
  }

  #countProtocols(protocols: readonly GroupProtocol[], delta: number): void {
    for (const name of new Set(protocols.map((p) => p.name))) {
      const n = (this.#supportedProtocols.get(name) ?? 0) + delta;
      if (n === 0) this.#supportedProtocols.delete(name);
      else this.#supportedProtocols.set(name, n);
    }
  }
}
