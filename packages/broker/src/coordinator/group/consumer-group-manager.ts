import { assertNever } from "../../errors.js";
import {
  type Assignment,
  assignmentFromList,
  assignmentsEqual,
  assignmentToList,
  isSubsetOf,
} from "./assignment.js";
import type { ConsumerGroupPartitionAssignor } from "./assignor/partition-assignor.js";
import { RangeAssignor } from "./assignor/range-assignor.js";
import { UniformAssignor } from "./assignor/uniform-assignor.js";
import { ConsumerGroup } from "./consumer-group.js";
import { validateConsumerGroupHeartbeat } from "./consumer-group-heartbeat-validation.js";
import {
  type ConsumerGroupMember,
  currentAssignmentChanged,
  isReconciledTo,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  MemberState,
  memberMetadataChanged,
  newConsumerGroupMember,
  sameTopicNames,
  sortedTopicNames,
  withCurrentAssignment,
  withMemberMetadata,
} from "./consumer-group-member.js";
import {
  currentAssignmentRecord,
  groupEpochRecord,
  groupTombstones,
  memberSubscriptionRecord,
  memberTombstones,
  subscriptionMetadataRecord,
} from "./consumer-group-records.js";
import {
  groupSubscribedTopics,
  RegexCache,
  sameSubscriptionMetadata,
  subscriptionMetadata,
  type TopicsView,
} from "./consumer-group-subscription.js";
import { reconcile } from "./current-assignment-builder.js";
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedConsumerGroup,
  DescribedTopicPartitions,
  GroupResult,
  RequestContext,
} from "./group-api.js";
import type { GroupCoordinatorConfig } from "./group-coordinator-config.js";
import type { GroupErrorCode } from "./group-error.js";
import type { ConsumerGroupRecord, GroupCoordinatorRecord } from "./group-records.js";
import { consumerRebalanceKey, consumerSessionKey, type KeyedTimers } from "./keyed-timers.js";
import { targetAssignmentRecords } from "./target-assignment-builder.js";

type Records = ConsumerGroupRecord[];

export interface ConsumerGroupManagerDeps {
  readonly timers: KeyedTimers<GroupCoordinatorRecord>;
  readonly config: GroupCoordinatorConfig;
  readonly newUuid: () => string;
  /** The cluster's topics as of now. */
  readonly topics: () => TopicsView;
  /**
   * Called when replaying a record creates consumer group `groupId`: a classic group of that id
   * (one that only held offsets, or an emptied one) must go.
   */
  readonly onGroupCreated: (groupId: string) => void;
}

/**
 * The consumer groups of the KIP-848 protocol over one coordinator: ConsumerGroupHeartbeat
 * (join, heartbeat, leave), ConsumerGroupDescribe, session and rebalance timeouts.
 *
 * Each operation validates everything first, then builds its records one step at a time and
 * replays each as it goes, so every step reads the group as the previous records left it (and
 * replaying the same records on load rebuilds the same group). The records a method returns are
 * already applied. A heartbeat: (1) creates or updates the member, bumping the group epoch when
 * the subscriptions or the subscribed topics' metadata changed; (2) computes a new target
 * assignment with the server-side assignor when the group epoch is ahead of the assignment
 * epoch; (3) moves the member one reconciliation step towards its target.
 */
export class ConsumerGroupManager {
  readonly groups = new Map<string, ConsumerGroup>();
  readonly #timers: KeyedTimers<GroupCoordinatorRecord>;
  readonly #config: GroupCoordinatorConfig;
  readonly #newUuid: () => string;
  readonly #topics: () => TopicsView;
  readonly #onGroupCreated: (groupId: string) => void;
  readonly #assignors = new Map<string, ConsumerGroupPartitionAssignor>();
  readonly regexes = new RegexCache();

  constructor(deps: ConsumerGroupManagerDeps) {
    this.#timers = deps.timers;
    this.#config = deps.config;
    this.#newUuid = deps.newUuid;
    this.#topics = deps.topics;
    this.#onGroupCreated = deps.onGroupCreated;
    for (const assignor of [new UniformAssignor(), new RangeAssignor()]) {
      if (deps.config.consumerGroupAssignors.includes(assignor.name))
        this.#assignors.set(assignor.name, assignor);
    }
  }

  /** The assignor used when no member asks for one (the first of group.consumer.assignors). */
  get defaultAssignor(): string {
    return this.#config.consumerGroupAssignors[0]!;
  }

  // ---------------------------------------------------------------- ConsumerGroupHeartbeat

  /** The error answer of a heartbeat whose fields are invalid, or null when they are valid. */
  heartbeatRejection(
    ctx: RequestContext,
    req: ConsumerGroupHeartbeatRequest,
  ): GroupResult<ConsumerGroupHeartbeatResponse> | null {
    const rejected = validateConsumerGroupHeartbeat(
      req,
      ctx.apiVersion,
      this.#config.consumerGroupAssignors,
      this.regexes,
      this.#config.maxMemberMetadataBytes,
    );
    return rejected === null ? null : failed(rejected.errorCode, rejected.message);
  }

  heartbeat(
    ctx: RequestContext,
    req: ConsumerGroupHeartbeatRequest,
  ): GroupResult<ConsumerGroupHeartbeatResponse> {
    const rejected = this.heartbeatRejection(ctx, req);
    if (rejected !== null) return rejected;
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return this.#leave(req);
    }
    return this.#heartbeat(ctx, req);
  }

  #heartbeat(
    ctx: RequestContext,
    req: ConsumerGroupHeartbeatRequest,
  ): GroupResult<ConsumerGroupHeartbeatResponse> {
    const joining = req.memberEpoch === 0;
    const groupId = req.groupId;
    const existing = this.groups.get(groupId);
    if (existing === undefined && !joining) {
      return failed("GROUP_ID_NOT_FOUND", `Consumer group ${groupId} not found.`);
    }
    // A group that does not exist yet is materialized by replaying the first record below.
    const group = existing ?? new ConsumerGroup(groupId);
    if (
      group.size >= this.#config.consumerGroupMaxSize &&
      (req.memberId === "" || !group.hasMember(req.memberId))
    ) {
      return failed(
        "GROUP_MAX_SIZE_REACHED",
        `The consumer group has reached its maximum capacity of ${this.#config.consumerGroupMaxSize} members.`,
      );
    }
    const memberId = req.memberId !== "" ? req.memberId : this.#newMemberId();
    const resolved = this.#resolveMember(group, memberId, req);
    if ("errorCode" in resolved) return failed(resolved.errorCode, resolved.message);
    const { member, replaced } = resolved;
    if (
      member.state === MemberState.UNKNOWN &&
      (req.topicPartitions === null || req.topicPartitions.length > 0)
    ) {
      return failed(
        "FENCED_MEMBER_EPOCH",
        "The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.",
      );
    }

    // Everything is valid: from here on, each record is applied as it is made.
    const records: Records = [];
    const emit = (record: ConsumerGroupRecord) => {
      records.push(record);
      this.replay(record);
    };
    if (replaced !== undefined) {
      // A static member came back under a new member id: it takes over the old member's
      // subscription, target and current assignment, so nothing moves.
      const target = group.targetAssignment(replaced.memberId);
      for (const r of memberTombstones(groupId, replaced.memberId)) emit(r);
      emit(memberSubscriptionRecord(groupId, member));
      emit({
        type: "ConsumerGroupTargetAssignmentMember",
        group: groupId,
        memberId,
        value: { topicPartitions: assignmentToList(target) },
      });
      emit(currentAssignmentRecord(groupId, member));
      this.#cancelTimers(groupId, replaced.memberId);
    }

    // 1. The member and its subscription; the group epoch moves when the subscriptions changed.
    const updated = updatedMember(member, req, ctx);
    let bumpGroupEpoch = false;
    const isNew = this.groups.get(groupId)?.hasMember(memberId) !== true;
    if (isNew || memberMetadataChanged(member, updated)) {
      emit(memberSubscriptionRecord(groupId, updated));
      bumpGroupEpoch =
        !sameTopicNames(member.subscribedTopicNames, updated.subscribedTopicNames) ||
        member.subscribedTopicRegex !== updated.subscribedTopicRegex;
    }
    const live = this.groups.get(groupId)!;
    const metadata = subscriptionMetadata(
      groupSubscribedTopics(live, this.#topics(), this.regexes),
      this.#topics(),
    );
    if (!sameSubscriptionMetadata(metadata, live.subscriptionMetadata)) {
      emit(subscriptionMetadataRecord(groupId, metadata));
      bumpGroupEpoch = true;
    }
    if (bumpGroupEpoch) emit(groupEpochRecord(groupId, live.groupEpoch + 1));

    // 2. A new target assignment when the group epoch is ahead of it.
    if (live.groupEpoch > live.assignmentEpoch) {
      for (const r of targetAssignmentRecords(live, this.#assignor(live), this.regexes)) emit(r);
    }

    // 3. One reconciliation step of this member towards its target.
    const current = live.member(memberId)!;
    if (!isReconciledTo(current, live.assignmentEpoch)) {
      const next = reconcile({
        member: current,
        targetEpoch: live.assignmentEpoch,
        target: live.targetAssignment(memberId),
        partitionOwner: (topicId, partition) => live.partitionOwner(topicId, partition),
        owned: req.topicPartitions,
      });
      if (currentAssignmentChanged(current, next)) {
        emit(currentAssignmentRecord(groupId, next));
        if (next.state === MemberState.UNREVOKED_PARTITIONS) {
          this.#scheduleRebalanceTimeout(groupId, memberId, next.memberEpoch, next.rebalanceTimeoutMs);
        } else {
          this.#timers.cancel(consumerRebalanceKey(groupId, memberId));
        }
      }
    }
    this.#scheduleSessionTimeout(groupId, memberId);

    const final = live.member(memberId)!;
    // The assignment goes back when it changed, or when the member sent a full request (a join,
    // or a heartbeat restating everything after an error) and so may have lost track of it.
    const fullRequest =
      joining ||
      (req.rebalanceTimeoutMs !== -1 &&
        (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) &&
        req.topicPartitions !== null);
    const changed = !assignmentsEqual(member.assignedPartitions, final.assignedPartitions);
    return {
      records,
      response: {
        errorCode: "NONE",
        errorMessage: null,
        memberId,
        memberEpoch: final.memberEpoch,
        heartbeatIntervalMs: this.#config.consumerGroupHeartbeatIntervalMs,
        assignment: fullRequest || changed ? assignmentToList(final.assignedPartitions) : null,
      },
    };
  }

  /**
   * Finds the member a heartbeat is for, or makes one when it joins, checking its epoch and
   * instance id. A static member rejoining after leaving with epoch -2 replaces its old self.
   */
  #resolveMember(
    group: ConsumerGroup,
    memberId: string,
    req: ConsumerGroupHeartbeatRequest,
  ):
    | { member: ConsumerGroupMember; replaced?: ConsumerGroupMember }
    | { errorCode: GroupErrorCode; message: string } {
    const joining = req.memberEpoch === 0;
    if (req.instanceId === null) {
      const member = group.member(memberId);
      if (member === undefined) {
        if (!joining)
          return {
            errorCode: "UNKNOWN_MEMBER_ID",
            message: `Member ${memberId} is not a member of group ${group.groupId}.`,
          };
        return { member: newConsumerGroupMember(memberId) };
      }
      const fenced = epochError(member, req);
      return fenced ?? { member };
    }
    const instanceId = req.instanceId;
    const staticMember = group.staticMember(instanceId);
    if (joining) {
      if (staticMember === undefined)
        return { member: group.member(memberId) ?? newConsumerGroupMember(memberId) };
      if (staticMember.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        return {
          errorCode: "UNRELEASED_INSTANCE_ID",
          message: `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${staticMember.memberId} member.`,
        };
      }
      return {
        member: { ...staticMember, memberId, memberEpoch: 0, previousMemberEpoch: 0 },
        replaced: staticMember,
      };
    }
    if (staticMember === undefined) {
      return { errorCode: "UNKNOWN_MEMBER_ID", message: `Instance id ${instanceId} is unknown.` };
    }
    if (staticMember.memberId !== memberId) {
      return {
        errorCode: "FENCED_INSTANCE_ID",
        message: `Static member ${memberId} with instance id ${instanceId} was fenced by member ${staticMember.memberId}.`,
      };
    }
    const fenced = epochError(staticMember, req);
    return fenced ?? { member: staticMember };
  }

  #leave(req: ConsumerGroupHeartbeatRequest): GroupResult<ConsumerGroupHeartbeatResponse> {
    const group = this.groups.get(req.groupId);
    if (group === undefined) return failed("GROUP_ID_NOT_FOUND", `Consumer group ${req.groupId} not found.`);
    const left = (memberEpoch: number, records: Records): GroupResult<ConsumerGroupHeartbeatResponse> => ({
      records,
      response: {
        errorCode: "NONE",
        errorMessage: null,
        memberId: req.memberId,
        memberEpoch,
        heartbeatIntervalMs: 0,
        assignment: null,
      },
    });
    if (req.instanceId === null) {
      const member = group.member(req.memberId);
      if (member === undefined)
        return failed("UNKNOWN_MEMBER_ID", `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      return left(req.memberEpoch, this.#fence(group, member.memberId));
    }
    const member = group.staticMember(req.instanceId);
    if (member === undefined) return failed("UNKNOWN_MEMBER_ID", `Instance id ${req.instanceId} is unknown.`);
    if (member.memberId !== req.memberId) {
      return failed(
        "FENCED_INSTANCE_ID",
        `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${member.memberId}.`,
      );
    }
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // Gone for now: it keeps its partitions (nobody else gets them) until it rejoins under
      // the same instance id or its session times out.
      const away: ConsumerGroupMember = {
        ...member,
        memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH,
        partitionsPendingRevocation: new Map(),
      };
      const record = currentAssignmentRecord(req.groupId, away);
      this.replay(record);
      this.#timers.cancel(consumerRebalanceKey(req.groupId, member.memberId));
      return left(LEAVE_GROUP_STATIC_MEMBER_EPOCH, [record]);
    }
    return left(req.memberEpoch, this.#fence(group, member.memberId));
  }

  /**
   * Removes a member (it left, or its session or rebalance timeout expired) and bumps the group
   * epoch, so the next heartbeat of any member computes a new target assignment. The other
   * members keep consuming meanwhile.
   */
  #fence(group: ConsumerGroup, memberId: string): Records {
    const groupId = group.groupId;
    const records: Records = [];
    const emit = (record: ConsumerGroupRecord) => {
      records.push(record);
      this.replay(record);
    };
    for (const r of memberTombstones(groupId, memberId)) emit(r);
    const metadata = subscriptionMetadata(
      groupSubscribedTopics(group, this.#topics(), this.regexes),
      this.#topics(),
    );
    if (!sameSubscriptionMetadata(metadata, group.subscriptionMetadata))
      emit(subscriptionMetadataRecord(groupId, metadata));
    emit(groupEpochRecord(groupId, group.groupEpoch + 1));
    this.#cancelTimers(groupId, memberId);
    return records;
  }

  #assignor(group: ConsumerGroup): ConsumerGroupPartitionAssignor {
    const name = group.preferredServerAssignor([...this.#assignors.keys()]) ?? this.defaultAssignor;
    return this.#assignors.get(name)!;
  }

  /** Kafka's member ids are random UUIDs in URL-safe base64 (22 characters). */
  #newMemberId(): string {
    const uuid = this.#newUuid();
    const hex = uuid.replaceAll("-", "");
    return /^[0-9a-f]{32}$/i.test(hex) ? Buffer.from(hex, "hex").toString("base64url") : uuid;
  }

  // ---------------------------------------------------------------- timers

  #scheduleSessionTimeout(groupId: string, memberId: string): void {
    this.#timers.schedule(
      consumerSessionKey(groupId, memberId),
      this.#config.consumerGroupSessionTimeoutMs,
      () => {
        const group = this.groups.get(groupId);
        if (group === undefined || !group.hasMember(memberId)) return [];
        return this.#fence(group, memberId);
      },
    );
  }

  #scheduleRebalanceTimeout(groupId: string, memberId: string, memberEpoch: number, timeoutMs: number): void {
    this.#timers.schedule(consumerRebalanceKey(groupId, memberId), Math.max(0, timeoutMs), () => {
      const group = this.groups.get(groupId);
      // Fenced only if it is still stuck in the epoch it was asked to revoke partitions in.
      if (group?.member(memberId)?.memberEpoch !== memberEpoch) return [];
      return this.#fence(group, memberId);
    });
  }

  #cancelTimers(groupId: string, memberId: string): void {
    this.#timers.cancel(consumerSessionKey(groupId, memberId));
    this.#timers.cancel(consumerRebalanceKey(groupId, memberId));
  }

  // ---------------------------------------------------------------- describe, delete, subscriptions

  describe(
    groupIds: readonly string[],
    isClassicGroup: (groupId: string) => boolean,
  ): DescribedConsumerGroup[] {
    const topics = this.#topics();
    const named = (assignment: Assignment): DescribedTopicPartitions[] => {
      const out: DescribedTopicPartitions[] = [];
      for (const { topicId, partitions } of assignmentToList(assignment)) {
        const topic = topics.topicById(topicId);
        if (topic !== undefined) out.push({ topicId, topicName: topic.name, partitions });
      }
      return out;
    };
    return groupIds.map((groupId): DescribedConsumerGroup => {
      const group = this.groups.get(groupId);
      if (group === undefined) {
        const message = isClassicGroup(groupId)
          ? `Group ${groupId} is not a consumer group.`
          : `Group ${groupId} not found.`;
        return describeError(groupId, groupId === "" ? "INVALID_GROUP_ID" : "GROUP_ID_NOT_FOUND", message);
      }
      return {
        errorCode: "NONE",
        errorMessage: null,
        groupId,
        groupState: group.state,
        groupEpoch: group.groupEpoch,
        assignmentEpoch: group.assignmentEpoch,
        assignorName: group.preferredServerAssignor([...this.#assignors.keys()]) ?? this.defaultAssignor,
        members: [...group.members()].map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: named(m.assignedPartitions),
          targetAssignment: named(group.targetAssignment(m.memberId)),
        })),
      };
    });
  }

  /** The tombstones of a whole group (DeleteGroups, expiry), applied. */
  deleteGroup(groupId: string): Records {
    const group = this.groups.get(groupId);
    if (group === undefined) return [];
    const memberIds = [...group.members()].map((m) => m.memberId);
    for (const memberId of memberIds) this.#cancelTimers(groupId, memberId);
    const records = groupTombstones(groupId, memberIds);
    for (const r of records) this.replay(r);
    return records;
  }

  /** Whether a member lists the topic, or a member's regular expression matches it. */
  isSubscribedToTopic(group: ConsumerGroup, topic: string): boolean {
    for (const name of group.subscribedTopicNames()) if (name === topic) return true;
    for (const regex of group.subscribedRegexes()) if (this.regexes.matches(regex, topic)) return true;
    return false;
  }

  // ---------------------------------------------------------------- replay, load, unload

  #getOrCreate(groupId: string): ConsumerGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      this.#onGroupCreated(groupId);
      group = new ConsumerGroup(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  /** Applies one consumer group record (from the log on load, or just made by an operation). */
  replay(record: ConsumerGroupRecord): void {
    const groupId = record.group;
    switch (record.type) {
      case "ConsumerGroupMetadata":
        if (record.value !== null) this.#getOrCreate(groupId).groupEpoch = record.value.epoch;
        else this.groups.delete(groupId);
        return;
      case "ConsumerGroupPartitionMetadata": {
        if (record.value === null) {
          const group = this.groups.get(groupId);
          if (group !== undefined) group.subscriptionMetadata = new Map();
          return;
        }
        this.#getOrCreate(groupId).subscriptionMetadata = new Map(
          record.value.topics.map((t) => [t.topicName, t]),
        );
        return;
      }
      case "ConsumerGroupMemberMetadata": {
        if (record.value === null) {
          this.groups.get(groupId)?.removeMember(record.memberId);
          return;
        }
        const group = this.#getOrCreate(groupId);
        const member = group.member(record.memberId) ?? newConsumerGroupMember(record.memberId);
        group.updateMember(withMemberMetadata(member, record.value));
        return;
      }
      case "ConsumerGroupTargetAssignmentMetadata":
        if (record.value !== null) this.#getOrCreate(groupId).assignmentEpoch = record.value.assignmentEpoch;
        else {
          const group = this.groups.get(groupId);
          if (group !== undefined) group.assignmentEpoch = -1;
        }
        return;
      case "ConsumerGroupTargetAssignmentMember":
        if (record.value !== null) {
          this.#getOrCreate(groupId).setTargetAssignment(
            record.memberId,
            assignmentFromList(record.value.topicPartitions),
          );
        } else {
          this.groups.get(groupId)?.removeTargetAssignment(record.memberId);
        }
        return;
      case "ConsumerGroupCurrentMemberAssignment": {
        if (record.value === null) {
          // The member's partitions are released; its metadata tombstone removes it.
          const group = this.groups.get(groupId);
          const member = group?.member(record.memberId);
          if (group === undefined || member === undefined) return;
          group.updateMember({
            ...member,
            memberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
            previousMemberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
            assignedPartitions: new Map(),
            partitionsPendingRevocation: new Map(),
          });
          return;
        }
        const group = this.#getOrCreate(groupId);
        const member = group.member(record.memberId) ?? newConsumerGroupMember(record.memberId);
        group.updateMember(withCurrentAssignment(member, record.value));
        return;
      }
      default:
        assertNever(record, "consumer group record");
    }
  }

  /** Loading is done: every loaded member gets its session timer (and revocation deadline). */
  onLoaded(): void {
    for (const group of this.groups.values()) {
      for (const m of group.members()) {
        this.#scheduleSessionTimeout(group.groupId, m.memberId);
        if (m.state === MemberState.UNREVOKED_PARTITIONS) {
          this.#scheduleRebalanceTimeout(group.groupId, m.memberId, m.memberEpoch, m.rebalanceTimeoutMs);
        }
      }
    }
  }

  onUnloaded(): void {
    this.groups.clear();
  }
}

/** FENCED_MEMBER_EPOCH unless the member's epoch is current, a join (0), or the previous one. */
function epochError(
  member: ConsumerGroupMember,
  req: ConsumerGroupHeartbeatRequest,
): { errorCode: GroupErrorCode; message: string } | null {
  const received = req.memberEpoch;
  // A member may always rejoin with epoch 0 (it gave up its partitions after an error).
  if (received === 0) return null;
  if (received > member.memberEpoch) {
    return {
      errorCode: "FENCED_MEMBER_EPOCH",
      message: `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    };
  }
  if (received < member.memberEpoch) {
    // The response that bumped the epoch may have been lost: the previous epoch is accepted
    // from a member that owns no more than its current assignment.
    const subset = isSubsetOf(req.topicPartitions, member.assignedPartitions);
    if (received !== member.previousMemberEpoch || !subset) {
      return {
        errorCode: "FENCED_MEMBER_EPOCH",
        message: `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      };
    }
  }
  return null;
}

/** The member with the heartbeat's fields applied; absent (null, -1) fields keep their value. */
function updatedMember(
  member: ConsumerGroupMember,
  req: ConsumerGroupHeartbeatRequest,
  ctx: RequestContext,
): ConsumerGroupMember {
  let regex = member.subscribedTopicRegex;
  if (req.subscribedTopicRegex !== null)
    regex = req.subscribedTopicRegex === "" ? null : req.subscribedTopicRegex;
  return {
    ...member,
    instanceId: req.instanceId ?? member.instanceId,
    rackId: req.rackId ?? member.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
    serverAssignor: req.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames:
      req.subscribedTopicNames !== null
        ? sortedTopicNames(req.subscribedTopicNames)
        : member.subscribedTopicNames,
    subscribedTopicRegex: regex,
    clientId: ctx.clientId,
    clientHost: ctx.clientHost,
  };
}

function failed(
  errorCode: GroupErrorCode,
  errorMessage: string | null,
): GroupResult<ConsumerGroupHeartbeatResponse> {
  return {
    records: [],
    response: {
      errorCode,
      errorMessage,
      memberId: null,
      memberEpoch: 0,
      heartbeatIntervalMs: 0,
      assignment: null,
    },
  };
}

function describeError(
  groupId: string,
  errorCode: GroupErrorCode,
  errorMessage: string,
): DescribedConsumerGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: "",
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: "",
    members: [],
  };
}
