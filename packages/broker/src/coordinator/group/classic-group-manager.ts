import { assertNever } from "../../errors.js";
import { ClassicGroup } from "./classic-group.js";
import {
  ClassicGroupMember,
  EMPTY_ASSIGNMENT,
  type JoinCallback,
  type SyncCallback,
} from "./classic-group-member.js";
import { joinError, syncError } from "./classic-group-responses.js";
import type {
  GroupResult,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupMemberResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  RequestContext,
  SyncGroupRequest,
} from "./group-api.js";
import type { GroupCoordinatorConfig } from "./group-coordinator-config.js";
import type { GroupErrorCode } from "./group-error.js";
import {
  emptyGroupMetadataValue,
  type GroupCoordinatorRecord,
  type GroupMetadataValue,
  groupMetadataRecord,
} from "./group-records.js";
import {
  isInconsistent,
  ownProtocols,
  protocolBytes,
  rebalanceTimeoutOf,
  requiresKnownMemberId,
  supportsSkippingAssignment,
} from "./join-group-request.js";
import { heartbeatKey, joinKey, type KeyedTimers, syncKey } from "./keyed-timers.js";
import type { Clock } from "./scheduler.js";

type Records = GroupCoordinatorRecord[];
const NO_RECORDS: Records = [];

export interface ClassicGroupManagerDeps {
  readonly clock: Clock;
  readonly timers: KeyedTimers<GroupCoordinatorRecord>;
  readonly config: GroupCoordinatorConfig;
  readonly newUuid: () => string;
}

/**
 * The classic rebalance protocol over the groups of one coordinator: JoinGroup, SyncGroup,
 * Heartbeat and LeaveGroup, the initial rebalance delay, rebalance, session and sync timeouts,
 * and static membership. JoinGroup and SyncGroup answer through callbacks, which may be called
 * now or when the rebalance moves on. Membership is soft state, as in Kafka: what survives a
 * restart is the GroupMetadata record written at the end of each rebalance.
 */
export class ClassicGroupManager {
  readonly groups = new Map<string, ClassicGroup>();
  readonly #clock: Clock;
  readonly #timers: KeyedTimers<GroupCoordinatorRecord>;
  readonly #config: GroupCoordinatorConfig;
  readonly #newUuid: () => string;

  constructor(deps: ClassicGroupManagerDeps) {
    this.#clock = deps.clock;
    this.#timers = deps.timers;
    this.#config = deps.config;
    this.#newUuid = deps.newUuid;
  }

  // ---------------------------------------------------------------- JoinGroup

  join(ctx: RequestContext, req: JoinGroupRequest, respond: JoinCallback): Records {
    if (req.groupId === "") {
      respond(joinError(req.memberId, "INVALID_GROUP_ID"));
      return NO_RECORDS;
    }
    if (
      req.sessionTimeoutMs < this.#config.groupMinSessionTimeoutMs ||
      req.sessionTimeoutMs > this.#config.groupMaxSessionTimeoutMs
    ) {
      respond(joinError(req.memberId, "INVALID_SESSION_TIMEOUT"));
      return NO_RECORDS;
    }
    if (protocolBytes(req.protocols) > this.#config.maxMemberMetadataBytes) {
      respond(joinError(req.memberId, "INVALID_REQUEST"));
      return NO_RECORDS;
    }
    const isUnknownMember = req.memberId === "";
    let group = this.groups.get(req.groupId);
    const isNewGroup = group === undefined;
    if (group === undefined) {
      // A group is created by a first join; a member id for a group that does not exist is stale.
      if (!isUnknownMember) {
        respond(joinError(req.memberId, "UNKNOWN_MEMBER_ID"));
        return NO_RECORDS;
      }
      group = new ClassicGroup(req.groupId, "Empty", this.#clock.now());
      this.groups.set(req.groupId, group);
    }

    let records: Records;
    if (!group.acceptsJoiningMember(req.memberId, this.#config.groupMaxSize)) {
      this.#removeMember(group, req.memberId);
      respond(joinError("", "GROUP_MAX_SIZE_REACHED"));
      records = NO_RECORDS;
    } else if (isUnknownMember) {
      records = this.#joinNewMember(ctx, req, group, respond);
    } else {
      records = this.#joinExistingMember(ctx, req, group, respond);
    }
    if (isNewGroup && records.length === 0) {
      // Persist the new group so that it survives a restart even before its first rebalance.
      records = [groupMetadataRecord(group.groupId, emptyGroupMetadataValue(group.currentStateTimestamp))];
    }
    return records;
  }

  #joinNewMember(
    ctx: RequestContext,
    req: JoinGroupRequest,
    group: ClassicGroup,
    respond: JoinCallback,
  ): Records {
    if (group.state === "Dead") {
      respond(joinError("", "COORDINATOR_NOT_AVAILABLE"));
      return NO_RECORDS;
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      respond(joinError("", "INCONSISTENT_GROUP_PROTOCOL"));
      return NO_RECORDS;
    }
    const newMemberId = `${req.groupInstanceId ?? ctx.clientId}-${this.#newUuid()}`;
    if (req.groupInstanceId !== null) {
      const existingMemberId = group.staticMemberId(req.groupInstanceId);
      if (existingMemberId !== undefined) {
        return this.#replaceStaticMemberThenRebalanceOrCompleteJoin(
          ctx,
          req,
          group,
          existingMemberId,
          newMemberId,
          respond,
        );
      }
      return this.#addMemberThenRebalanceOrCompleteJoin(ctx, req, group, newMemberId, respond);
    }
    if (requiresKnownMemberId(ctx.apiVersion)) {
      // Hand out an id and wait for the member to come back with it; the id expires after the
      // session timeout, and the oldest ids are forgotten past the per-group cap.
      while (group.numPendingJoinMembers >= this.#config.maxPendingMembersPerGroup) {
        const oldest = group.oldestPendingMember();
        if (oldest === undefined) break;
        group.remove(oldest);
        this.#timers.cancel(heartbeatKey(group.groupId, oldest));
      }
      group.addPendingMember(newMemberId);
      const groupId = group.groupId;
      this.#timers.schedule(heartbeatKey(groupId, newMemberId), req.sessionTimeoutMs, () =>
        this.#expireHeartbeat(groupId, newMemberId),
      );
      respond(joinError(newMemberId, "MEMBER_ID_REQUIRED"));
      return NO_RECORDS;
    }
    return this.#addMemberThenRebalanceOrCompleteJoin(ctx, req, group, newMemberId, respond);
  }

  #joinExistingMember(
    ctx: RequestContext,
    req: JoinGroupRequest,
    group: ClassicGroup,
    respond: JoinCallback,
  ): Records {
    const memberId = req.memberId;
    if (group.state === "Dead") {
      respond(joinError(memberId, "COORDINATOR_NOT_AVAILABLE"));
      return NO_RECORDS;
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      respond(joinError(memberId, "INCONSISTENT_GROUP_PROTOCOL"));
      return NO_RECORDS;
    }
    if (group.isPendingMember(memberId)) {
      // Pending ids are only handed to dynamic members; a static one presenting it is confused.
      if (req.groupInstanceId !== null) {
        respond(joinError(memberId, "UNKNOWN_MEMBER_ID"));
        return NO_RECORDS;
      }
      return this.#addMemberThenRebalanceOrCompleteJoin(ctx, req, group, memberId, respond);
    }
    const error = group.validateMember(memberId, req.groupInstanceId);
    if (error !== "NONE") {
      respond(joinError(memberId, error));
      return NO_RECORDS;
    }
    const member = group.member(memberId)!;
    const state = group.currentState();
    switch (state) {
      case "PreparingRebalance":
        return this.#updateMemberThenRebalanceOrCompleteJoin(req, group, member, respond);
      case "CompletingRebalance":
        if (member.matches(req.protocols)) {
          // The member probably lost its JoinGroup response: send the current generation again.
          respond(this.#joinResponse(group, memberId, group.isLeader(memberId), false));
          return NO_RECORDS;
        }
        return this.#updateMemberThenRebalanceOrCompleteJoin(req, group, member, respond);
      case "Stable":
        // A rejoining leader forces a rebalance (it may have seen a metadata change that does
        // not show in its own metadata); so does a follower whose metadata changed.
        if (group.isLeader(memberId) || !member.matches(req.protocols)) {
          return this.#updateMemberThenRebalanceOrCompleteJoin(req, group, member, respond);
        }
        respond(this.#joinResponse(group, memberId, false, false));
        return NO_RECORDS;
      case "Empty":
      case "Dead":
        respond(joinError(memberId, "UNKNOWN_MEMBER_ID"));
        return NO_RECORDS;
      default:
        return assertNever(state, "group state");
    }
  }

  #joinResponse(
    group: ClassicGroup,
    memberId: string,
    withMembers: boolean,
    skipAssignment: boolean,
  ): JoinGroupResponse {
    return {
      errorCode: "NONE",
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? "",
      skipAssignment,
      memberId,
      members: withMembers ? group.leaderMembersView() : [],
    };
  }

  #updateMemberThenRebalanceOrCompleteJoin(
    req: JoinGroupRequest,
    group: ClassicGroup,
    member: ClassicGroupMember,
    respond: JoinCallback,
  ): Records {
    // A second JoinGroup while the first is still parked: the first one is answered now.
    const previous = member.awaitingJoin;
    group.updateMember(
      member,
      ownProtocols(req.protocols),
      rebalanceTimeoutOf(req),
      req.sessionTimeoutMs,
      respond,
    );
    if (previous !== null) previous(joinError(member.memberId, "REBALANCE_IN_PROGRESS"));
    return this.#maybePrepareRebalanceOrCompleteJoin(group);
  }

  #addMemberThenRebalanceOrCompleteJoin(
    ctx: RequestContext,
    req: JoinGroupRequest,
    group: ClassicGroup,
    memberId: string,
    respond: JoinCallback,
  ): Records {
    const member = new ClassicGroupMember(
      memberId,
      req.groupInstanceId,
      ctx.clientId,
      ctx.clientHost,
      rebalanceTimeoutOf(req),
      req.sessionTimeoutMs,
      req.protocolType,
      ownProtocols(req.protocols),
    );
    member.isNew = true;
    // A member joining during the initial rebalance extends its delay.
    if (group.state === "PreparingRebalance" && group.previousState === "Empty") group.newMemberAdded = true;
    group.add(member, respond);
    // New members cannot heartbeat while their JoinGroup is parked, and a client that gave up
    // may retry with a fresh join: so a new member's join expires on its own timer.
    this.#rescheduleHeartbeat(group, member, this.#config.newMemberJoinTimeoutMs);
    return this.#maybePrepareRebalanceOrCompleteJoin(group);
  }

  /**
   * A static member rejoined without its member id (it restarted): its new id replaces the old
   * one. In a Stable group whose selected protocol stays the same there is no rebalance: the
   * member gets the current generation and keeps its assignment.
   */
  #replaceStaticMemberThenRebalanceOrCompleteJoin(
    ctx: RequestContext,
    req: JoinGroupRequest,
    group: ClassicGroup,
    oldMemberId: string,
    newMemberId: string,
    respond: JoinCallback,
  ): Records {
    const groupInstanceId = req.groupInstanceId!;
    const currentLeader = group.leaderId;
    const member = group.replaceStaticMember(
      groupInstanceId,
      oldMemberId,
      newMemberId,
      (old) =>
        new ClassicGroupMember(
          newMemberId,
          old.groupInstanceId,
          old.clientId,
          old.clientHost,
          old.rebalanceTimeoutMs,
          old.sessionTimeoutMs,
          old.protocolType,
          old.protocols,
        ),
    );
    this.#timers.cancel(heartbeatKey(group.groupId, oldMemberId));
    this.#rescheduleHeartbeat(group, member);
    group.updateMember(
      member,
      ownProtocols(req.protocols),
      rebalanceTimeoutOf(req),
      req.sessionTimeoutMs,
      respond,
    );

    const state = group.currentState();

    switch (state) {
      case "Stable": {
        if (group.protocolName !== group.selectProtocol()) {
          return this.#maybePrepareRebalanceOrCompleteJoin(group);
        }
        const assignment = new Map<string, Buffer>();
        for (const m of group.members()) assignment.set(m.memberId, m.assignment);
        const records = [groupMetadataRecord(group.groupId, group.toRecordValue(assignment))];
        if (supportsSkippingAssignment(ctx.apiVersion)) {
          const isLeader = group.isLeader(newMemberId);
          group.completeJoin(member, this.#joinResponse(group, newMemberId, isLeader, isLeader));
        } else {
          // Older leaders would compute a new assignment: tell them the old leader id instead.
          group.completeJoin(member, {
            ...this.#joinResponse(group, newMemberId, false, false),
            leader: currentLeader ?? "",
          });
        }
        return records;
      }
      case "CompletingRebalance":
        // The leader may already be computing an assignment for the old member id.
        return this.#prepareRebalance(group);
      case "PreparingRebalance":
      case "Empty":
      case "Dead":
        return this.#maybeCompleteJoinPhase(group);
      default:
        return assertNever(state, "group state");
    }
  }

  #maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup): Records {
    return group.canRebalance() ? this.#prepareRebalance(group) : this.#maybeCompleteJoinPhase(group);
  }

  #prepareRebalance(group: ClassicGroup): Records {
    if (group.state === "CompletingRebalance")
      this.#resetAndPropagateAssignment(group, "REBALANCE_IN_PROGRESS");
    this.#removeSyncExpiration(group);
    const isInitialRebalance = group.state === "Empty";
    if (isInitialRebalance) {
      // A new group waits group.initial.rebalance.delay.ms for more members, extended while
      // members keep arriving, up to the rebalance timeout.
      const delayMs = this.#config.groupInitialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
      const groupId = group.groupId;
      this.#timers.schedule(joinKey(groupId), delayMs, () =>
        this.#tryCompleteInitialRebalance(groupId, delayMs, remainingMs),
      );
    }
    group.transitionTo("PreparingRebalance", this.#clock.now());
    return isInitialRebalance ? NO_RECORDS : this.#maybeCompleteJoinElseSchedule(group);
  }

  #maybeCompleteJoinElseSchedule(group: ClassicGroup): Records {
    if (group.hasAllMembersJoined()) return this.#completeJoin(group);
    this.#scheduleJoinTimeout(group);
    return NO_RECORDS;
  }

  #scheduleJoinTimeout(group: ClassicGroup): void {
    const groupId = group.groupId;
    this.#timers.schedule(joinKey(groupId), group.rebalanceTimeoutMs(), () => {
      const current = this.groups.get(groupId);
      return current === undefined ? NO_RECORDS : this.#completeJoin(current);
    });
  }

  #tryCompleteInitialRebalance(groupId: string, delayMs: number, remainingMs: number): Records {
    const group = this.groups.get(groupId);
    if (group === undefined) return NO_RECORDS;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const nextDelayMs = Math.min(this.#config.groupInitialRebalanceDelayMs, remainingMs);
      const nextRemainingMs = Math.max(remainingMs - delayMs, 0);
      this.#timers.schedule(joinKey(groupId), nextDelayMs, () =>
        this.#tryCompleteInitialRebalance(groupId, nextDelayMs, nextRemainingMs),
      );
      return NO_RECORDS;
    }
    return this.#completeJoin(group);
  }

  /** Completes the join phase when everyone is in, except during the initial (delayed) rebalance. */
  #maybeCompleteJoinPhase(group: ClassicGroup): Records {
    if (group.state !== "PreparingRebalance") return NO_RECORDS;
    if (group.previousState === "Empty") return NO_RECORDS;
    if (!group.hasAllMembersJoined()) return NO_RECORDS;
    return this.#completeJoin(group);
  }

  /**
   * Ends the join phase: dynamic members that did not rejoin are dropped, the generation is
   * bumped and every parked JoinGroup is answered (the leader gets all members' metadata). An
   * Empty result is persisted at once; otherwise the group waits for the leader's SyncGroup.
   */
  #completeJoin(group: ClassicGroup): Records {
    if (group.state !== "PreparingRebalance") return NO_RECORDS;
    this.#timers.cancel(joinKey(group.groupId));
    for (const m of group.notYetRejoinedMembers()) {
      if (!m.isStatic) this.#removeMember(group, m.memberId);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members are left and none rejoined: wait another rebalance timeout for them
      // (their session timeouts remove them meanwhile if they are gone).
      this.#scheduleJoinTimeout(group);
      return NO_RECORDS;
    }
    const now = this.#clock.now();
    group.initNextGeneration(now);
    if (group.currentState() === "Empty") {
      return [groupMetadataRecord(group.groupId, group.toRecordValue(new Map()))];
    }
    for (const m of group.members()) {
      const isLeader = group.isLeader(m.memberId);
      group.completeJoin(m, this.#joinResponse(group, m.memberId, isLeader, false));
      this.#rescheduleHeartbeat(group, m);
      m.isNew = false;
      group.addPendingSyncMember(m.memberId);
    }
    this.#schedulePendingSync(group);
    return NO_RECORDS;
  }

  #schedulePendingSync(group: ClassicGroup): void {
    const groupId = group.groupId;
    const generationId = group.generationId;
    this.#timers.schedule(syncKey(groupId), group.rebalanceTimeoutMs(), () =>
      this.#expirePendingSync(groupId, generationId),
    );
  }

  /** Members that did not send SyncGroup within the rebalance timeout are removed. */
  #expirePendingSync(groupId: string, generationId: number): Records {
    const group = this.groups.get(groupId);
    if (group === undefined || group.generationId !== generationId) return NO_RECORDS;
    if (group.state !== "CompletingRebalance" && group.state !== "Stable") return NO_RECORDS;
    if (group.hasReceivedSyncFromAllMembers()) return NO_RECORDS;
    for (const memberId of group.pendingSyncMembers()) this.#removeMember(group, memberId);
    return this.#prepareRebalance(group);
  }

  #removeSyncExpiration(group: ClassicGroup): void {
    group.clearPendingSyncMembers();
    this.#timers.cancel(syncKey(group.groupId));
  }

  // ---------------------------------------------------------------- SyncGroup

  sync(req: SyncGroupRequest, respond: SyncCallback): Records {
    if (req.groupId === "") {
      respond(syncError("INVALID_GROUP_ID"));
      return NO_RECORDS;
    }
    const group = this.groups.get(req.groupId);
    if (group === undefined || group.state === "Empty") {
      respond(syncError("UNKNOWN_MEMBER_ID"));
      return NO_RECORDS;
    }
    const error = this.#validateSync(group, req);
    if (error !== "NONE") {
      respond(syncError(error));
      return NO_RECORDS;
    }
    const member = group.member(req.memberId)!;
    const state = group.currentState();
    switch (state) {
      case "PreparingRebalance":
        respond(syncError("REBALANCE_IN_PROGRESS"));
        return NO_RECORDS;
      case "CompletingRebalance": {
        const isLeader = group.isLeader(member.memberId);
        if (
          isLeader &&
          req.assignments.some((a) => a.assignment.length > this.#config.maxMemberMetadataBytes)
        ) {
          // Refused without counting as synced: the sync timeout then removes the leader.
          respond(syncError("INVALID_REQUEST"));
          return NO_RECORDS;
        }
        const previous = member.awaitingSync;
        member.awaitingSync = respond;
        if (previous !== null) previous(syncError("REBALANCE_IN_PROGRESS"));
        this.#removePendingSyncMember(group, member.memberId);
        if (!isLeader) return NO_RECORDS;
        // Assignments for ids that are not members are dropped; members without one get none.
        const assignment = new Map<string, Buffer>();
        for (const a of req.assignments) {
          if (group.hasMember(a.memberId)) assignment.set(a.memberId, Buffer.from(a.assignment));
        }
        for (const m of group.members()) {
          if (!assignment.has(m.memberId)) assignment.set(m.memberId, EMPTY_ASSIGNMENT);
        }
        const records = [groupMetadataRecord(group.groupId, group.toRecordValue(assignment))];
        for (const m of group.members()) m.assignment = assignment.get(m.memberId)!;
        this.#propagateAssignment(group, "NONE");
        group.transitionTo("Stable", this.#clock.now());
        return records;
      }
      case "Stable":
        this.#removePendingSyncMember(group, member.memberId);
        respond({
          errorCode: "NONE",
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          assignment: member.assignment,
        });
        return NO_RECORDS;
      case "Empty":
      case "Dead":
        respond(syncError("UNKNOWN_MEMBER_ID"));
        return NO_RECORDS;
      default:
        return assertNever(state, "group state");
    }
  }

  #validateSync(group: ClassicGroup, req: SyncGroupRequest): GroupErrorCode {
    if (group.state === "Dead") return "COORDINATOR_NOT_AVAILABLE";
    const error = group.validateMember(req.memberId, req.groupInstanceId);
    if (error !== "NONE") return error;
    if (req.generationId !== group.generationId) return "ILLEGAL_GENERATION";
    if (
      isInconsistent(req.protocolType, group.protocolType) ||
      isInconsistent(req.protocolName, group.protocolName)
    ) {
      return "INCONSISTENT_GROUP_PROTOCOL";
    }
    return "NONE";
  }

  #removePendingSyncMember(group: ClassicGroup, memberId: string): void {
    group.removePendingSyncMember(memberId);
    const state = group.currentState();
    switch (state) {
      case "Dead":
      case "Empty":
      case "PreparingRebalance":
        this.#timers.cancel(syncKey(group.groupId));
        break;
      case "CompletingRebalance":
      case "Stable":
        if (group.hasReceivedSyncFromAllMembers()) this.#timers.cancel(syncKey(group.groupId));
        break;
      default:
        assertNever(state, "group state");
    }
  }

  #resetAndPropagateAssignment(group: ClassicGroup, error: GroupErrorCode): void {
    for (const m of group.members()) m.assignment = EMPTY_ASSIGNMENT;
    this.#propagateAssignment(group, error);
  }

  /** Answers every parked SyncGroup; a member that got its answer starts a fresh session. */
  #propagateAssignment(group: ClassicGroup, error: GroupErrorCode): void {
    const ok = error === "NONE";
    for (const m of group.members()) {
      const answered = group.completeSync(m, {
        errorCode: error,
        protocolType: ok ? group.protocolType : null,
        protocolName: ok ? group.protocolName : null,
        assignment: m.assignment,
      });
      if (answered) this.#rescheduleHeartbeat(group, m);
    }
  }

  // ---------------------------------------------------------------- Heartbeat

  heartbeat(req: HeartbeatRequest): HeartbeatResponse {
    if (req.groupId === "") return { errorCode: "INVALID_GROUP_ID" };
    const group = this.groups.get(req.groupId);
    if (group === undefined) return { errorCode: "UNKNOWN_MEMBER_ID" };
    const error = group.validateMember(req.memberId, req.groupInstanceId);
    if (error !== "NONE") return { errorCode: error };
    if (req.generationId !== group.generationId) return { errorCode: "ILLEGAL_GENERATION" };
    const state = group.currentState();
    switch (state) {
      case "Dead":
        return { errorCode: "COORDINATOR_NOT_AVAILABLE" };
      case "Empty":
        return { errorCode: "UNKNOWN_MEMBER_ID" };
      case "PreparingRebalance":
        this.#rescheduleHeartbeat(group, group.member(req.memberId)!);
        return { errorCode: "REBALANCE_IN_PROGRESS" };
      case "CompletingRebalance":
      case "Stable":
        // Members may heartbeat between their JoinGroup and SyncGroup responses.
        this.#rescheduleHeartbeat(group, group.member(req.memberId)!);
        return { errorCode: "NONE" };
      default:
        return assertNever(state, "group state");
    }
  }

  /** Restarts a member's session timer (a heartbeat, or an offset commit, was received). */
  touchMember(group: ClassicGroup, memberId: string): void {
    const member = group.member(memberId);
    if (member !== undefined) this.#rescheduleHeartbeat(group, member);
  }

  #rescheduleHeartbeat(
    group: ClassicGroup,
    member: ClassicGroupMember,
    timeoutMs = member.sessionTimeoutMs,
  ): void {
    const groupId = group.groupId;
    const memberId = member.memberId;
    this.#timers.schedule(heartbeatKey(groupId, memberId), timeoutMs, () =>
      this.#expireHeartbeat(groupId, memberId),
    );
  }

  #expireHeartbeat(groupId: string, memberId: string): Records {
    const group = this.groups.get(groupId);
    if (group === undefined || group.state === "Dead") return NO_RECORDS;
    if (group.isPendingMember(memberId)) {
      group.remove(memberId);
      return group.state === "PreparingRebalance" && group.hasAllMembersJoined()
        ? this.#completeJoin(group)
        : NO_RECORDS;
    }
    const member = group.member(memberId);
    if (member === undefined || member.hasSatisfiedHeartbeat()) return NO_RECORDS;
    this.#removeMember(group, memberId);
    const state = group.currentState();
    switch (state) {
      case "Stable":
      case "CompletingRebalance":
        return this.#maybePrepareRebalanceOrCompleteJoin(group);
      case "PreparingRebalance":
        return group.hasAllMembersJoined() ? this.#completeJoin(group) : NO_RECORDS;
      case "Empty":
      case "Dead":
        return NO_RECORDS;
      default:
        return assertNever(state, "group state");
    }
  }

  /**
   * Drops a member (or pending member id): its parked JoinGroup answers UNKNOWN_MEMBER_ID so a
   * live client rejoins, a parked SyncGroup likewise, and its session timer stops.
   */
  #removeMember(group: ClassicGroup, memberId: string): void {
    const member = group.member(memberId);
    if (member !== undefined) {
      group.completeJoin(member, joinError("", "UNKNOWN_MEMBER_ID"));
      group.completeSync(member, syncError("UNKNOWN_MEMBER_ID"));
    }
    group.remove(memberId);
    this.#timers.cancel(heartbeatKey(group.groupId, memberId));
  }

  // ---------------------------------------------------------------- LeaveGroup

  leave(req: LeaveGroupRequest): GroupResult<LeaveGroupResponse> {
    if (req.groupId === "")
      return { records: NO_RECORDS, response: { errorCode: "INVALID_GROUP_ID", members: [] } };
    const group = this.groups.get(req.groupId);
    if (group === undefined) {
      const members = req.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        errorCode: "UNKNOWN_MEMBER_ID" as const,
      }));
      return { records: NO_RECORDS, response: { errorCode: "NONE", members } };
    }
    if (group.state === "Dead") {
      return { records: NO_RECORDS, response: { errorCode: "COORDINATOR_NOT_AVAILABLE", members: [] } };
    }
    const responses: LeaveGroupMemberResponse[] = [];
    let anyLeft = false;
    for (const m of req.members) {
      let errorCode: GroupErrorCode;
      if (m.memberId === "") {
        // Administrative removal of a static member by its instance id.
        const staticId = m.groupInstanceId === null ? undefined : group.staticMemberId(m.groupInstanceId);
        if (staticId === undefined) {
          errorCode = "UNKNOWN_MEMBER_ID";
        } else {
          this.#removeMember(group, staticId);
          errorCode = "NONE";
        }
      } else if (group.isPendingMember(m.memberId)) {
        this.#removeMember(group, m.memberId);
        errorCode = "NONE";
      } else {
        errorCode = group.validateMember(m.memberId, m.groupInstanceId);
        if (errorCode === "NONE") this.#removeMember(group, m.memberId);
      }
      if (errorCode === "NONE") anyLeft = true;
      responses.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
    }
    let records = NO_RECORDS;
    if (anyLeft) {
      const state = group.currentState();
      switch (state) {
        case "Stable":
        case "CompletingRebalance":
          records = this.#maybePrepareRebalanceOrCompleteJoin(group);
          break;
        case "PreparingRebalance":
          records = this.#maybeCompleteJoinPhase(group);
          break;
        case "Empty":
        case "Dead":
          break;
        default:
          return assertNever(state, "group state");
      }
    }
    return { records, response: { errorCode: "NONE", members: responses } };
  }

  // ---------------------------------------------------------------- load, unload, replay

  /** The simple (member-less) group that offset commits outside group management live in. */
  getOrCreateGroup(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new ClassicGroup(groupId, "Empty", this.#clock.now());
      this.groups.set(groupId, group);
    }
    return group;
  }

  /**
   * Rebuilds a group from its GroupMetadata record: Empty without members, else Stable with the
   * recorded members and assignments, as Kafka loads a group on failover (their sessions start
   * when the coordinator finishes loading). A null value removes the group.
   */
  replayGroupMetadata(groupId: string, value: GroupMetadataValue | null): void {
    this.#dropGroup(groupId);
    if (value === null) return;
    const group = ClassicGroup.fromRecord(groupId, value, this.#clock.now());
    this.groups.set(groupId, group);
  }

  /** Forgets a group (deleted or replaced): Dead, parked requests answered, timers stopped. */
  #dropGroup(groupId: string): void {
    const group = this.groups.get(groupId);
    if (group === undefined) return;
    this.groups.delete(groupId);
    this.#kill(group, "COORDINATOR_NOT_AVAILABLE");
  }

  #kill(group: ClassicGroup, error: GroupErrorCode): void {
    if (group.state !== "Dead") group.transitionTo("Dead", this.#clock.now());
    this.#timers.cancel(joinKey(group.groupId));
    this.#timers.cancel(syncKey(group.groupId));
    for (const m of [...group.members()]) {
      group.completeJoin(m, joinError(m.memberId, error));
      group.completeSync(m, syncError(error));
      this.#timers.cancel(heartbeatKey(group.groupId, m.memberId));
    }
    for (let id = group.oldestPendingMember(); id !== undefined; id = group.oldestPendingMember()) {
      group.remove(id);
      this.#timers.cancel(heartbeatKey(group.groupId, id));
    }
  }

  /** Loading finished: every loaded member gets a session timer, and oversized groups rebalance. */
  onLoaded(): Records {
    const records: Records = [];
    for (const group of this.groups.values()) {
      for (const m of group.members()) this.#rescheduleHeartbeat(group, m);
      if (group.size > this.#config.groupMaxSize && group.canRebalance())
        records.push(...this.#prepareRebalance(group));
    }
    return records;
  }

  /** The partition moved away: every parked request answers NOT_COORDINATOR. */
  onUnloaded(): void {
    for (const group of this.groups.values()) this.#kill(group, "NOT_COORDINATOR");
    this.groups.clear();
  }
}
