import { randomUUID } from "node:crypto";
import { assertNever } from "../../errors.js";
import type { ClassicGroup } from "./classic-group.js";
import { ClassicGroupManager } from "./classic-group-manager.js";
import { joinError, syncError } from "./classic-group-responses.js";
import { CLASSIC_GROUP_STATES } from "./classic-group-state.js";
import { CONSUMER_GROUP_STATES, type ConsumerGroup } from "./consumer-group.js";
import { ConsumerGroupManager } from "./consumer-group-manager.js";
import { NO_TOPICS, type TopicsView } from "./consumer-group-subscription.js";
import { CONSUMER_PROTOCOL_TYPE } from "./consumer-protocol.js";
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DeleteGroupsResult,
  DescribedConsumerGroup,
  DescribedGroup,
  GroupResult,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListedGroup,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  RequestContext,
  SyncGroupRequest,
  SyncGroupResponse,
} from "./group-api.js";
import { type GroupCoordinatorConfig, resolveGroupCoordinatorConfig } from "./group-coordinator-config.js";
import type { GroupErrorCode } from "./group-error.js";
import { partitionForGroup } from "./group-partition.js";
import {
  type GroupCoordinatorRecord,
  groupMetadataTombstone,
  isConsumerGroupRecord,
} from "./group-records.js";
import { KeyedTimers } from "./keyed-timers.js";
import { OffsetManager } from "./offset-manager.js";
import type { Clock, Scheduler } from "./scheduler.js";

export interface GroupCoordinatorDeps {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly config?: Partial<GroupCoordinatorConfig>;
  /** Random part of new member ids; crypto.randomUUID unless a test or the simulator injects one. */
  readonly newUuid?: () => string;
  /**
   * Receives records produced by timers (a rebalance that ends with the group Empty, expired
   * offsets, …), already applied. The driver appends them like the records of an operation.
   */
  readonly onRecords?: (records: readonly GroupCoordinatorRecord[]) => void;
  /** When given, offset commits for partitions it does not know answer UNKNOWN_TOPIC_OR_PARTITION. */
  readonly partitionExists?: (topic: string, partition: number) => boolean;
  /** The cluster's topics as of now (the metadata image); consumer groups assign by topic id. */
  readonly topics?: () => TopicsView;
}

/** Where the coordinator is in its life: loading its partition, serving, or handed away. */
export type GroupCoordinatorStatus = "loading" | "active" | "unloaded";

const CLEANUP_KEY = JSON.stringify(["cleanup"]);

/**
 * The group coordinator of one or more `__consumer_offsets` partitions, as a deterministic state
 * machine: classic groups (JoinGroup/SyncGroup) and consumer groups (ConsumerGroupHeartbeat,
 * KIP-848) side by side, one group id being one or the other, and the offsets of both. Time
 * comes from the injected Clock and Scheduler only.
 *
 * Life cycle: construct (status "loading"), `replay` every record of the partition(s), then
 * `onLoaded()`. Requests before that answer COORDINATOR_LOAD_IN_PROGRESS; after `onUnloaded()`,
 * NOT_COORDINATOR.
 *
 * Mutating operations return `{ records, response }`. The records are already applied here;
 * the driver appends them to `__consumer_offsets` (partition `partitionFor(group)`) and then
 * sends the response. Offset records and tombstones take effect through the same `replay` the
 * load path uses. Classic groups' live membership (who is joined, parked requests, timers) is
 * soft state, as in Kafka: a GroupMetadata record is its checkpoint at the end of each
 * rebalance, and replaying one rebuilds the group on load. JoinGroup and SyncGroup responses are
 * Promises that resolve when the rebalance gets there; they never reject. Consumer groups are
 * hard state throughout: every change to them is a record (ConsumerGroupManager), and only the
 * timers are soft.
 */
export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  readonly #clock: Clock;
  readonly #timers: KeyedTimers<GroupCoordinatorRecord>;
  readonly #groups: ClassicGroupManager;
  readonly #consumerGroups: ConsumerGroupManager;
  readonly #offsets: OffsetManager;
  readonly #onRecords: ((records: readonly GroupCoordinatorRecord[]) => void) | undefined;
  /** Records this coordinator produced (and so already applied): replaying them is a no-op. */
  readonly #own = new WeakSet<GroupCoordinatorRecord>();
  #status: GroupCoordinatorStatus = "loading";

  constructor(deps: GroupCoordinatorDeps) {
    this.config = resolveGroupCoordinatorConfig(deps.config);
    this.#clock = deps.clock;
    this.#onRecords = deps.onRecords;
    this.#timers = new KeyedTimers(deps.scheduler, (records) => {
      this.#apply(records);
      this.#onRecords?.(records);
    });
    this.#groups = new ClassicGroupManager({
      clock: deps.clock,
      timers: this.#timers,
      config: this.config,
      newUuid: deps.newUuid ?? randomUUID,
    });
    this.#consumerGroups = new ConsumerGroupManager({
      timers: this.#timers,
      config: this.config,
      newUuid: deps.newUuid ?? randomUUID,
      topics: deps.topics ?? (() => NO_TOPICS),
      // A group id is either a classic or a consumer group: the consumer group replaces a classic
      // group that only held offsets (or had emptied), as in Kafka.
      onGroupCreated: (groupId) => {
        if (this.#groups.groups.has(groupId)) this.#groups.replayGroupMetadata(groupId, null);
      },
    });
    this.#offsets = new OffsetManager({
      clock: deps.clock,
      config: this.config,
      groups: this.#groups,
      consumerGroups: this.#consumerGroups,
      partitionExists: deps.partitionExists,
    });
  }

  get status(): GroupCoordinatorStatus {
    return this.#status;
  }

  /** The `__consumer_offsets` partition that holds a group's records. */
  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicNumPartitions);
  }

  // ---------------------------------------------------------------- load, replay, unload

  /**
   * Applies one record read from `__consumer_offsets` (the load path). Records this coordinator
   * returned are already applied and are skipped. While serving, a GroupMetadata value for a
   * group that is live is ignored: the live group is newer than any checkpoint of it.
   */
  replay(record: GroupCoordinatorRecord): void {
    if (this.#own.has(record)) return;
    switch (record.type) {
      case "OffsetCommit":
        this.#offsets.replay(record);
        return;
      case "GroupMetadata":
        if (record.value !== null && this.#status === "active" && this.#groups.groups.has(record.group))
          return;
        this.#groups.replayGroupMetadata(record.group, record.value);
        return;
      case "ConsumerGroupMetadata":
      case "ConsumerGroupPartitionMetadata":
      case "ConsumerGroupMemberMetadata":
      case "ConsumerGroupTargetAssignmentMetadata":
      case "ConsumerGroupTargetAssignmentMember":
      case "ConsumerGroupCurrentMemberAssignment":
        this.#consumerGroups.replay(record);
        return;
      default:
        assertNever(record, "group coordinator record");
    }
  }

  /**
   * Loading is done: loaded members get session timers (a member that does not heartbeat within
   * its session timeout is removed, as after a Kafka coordinator failover) and offset expiry
   * starts. Returns records to append (normally none).
   */
  onLoaded(): readonly GroupCoordinatorRecord[] {
    if (this.#status !== "loading") return [];
    this.#status = "active";
    this.#scheduleCleanup();
    this.#consumerGroups.onLoaded();
    return this.#commit(this.#groups.onLoaded());
  }

  /** The partition moved away or the broker stops: parked requests answer NOT_COORDINATOR. */
  onUnloaded(): void {
    this.#status = "unloaded";
    this.#groups.onUnloaded();
    this.#consumerGroups.onUnloaded();
    this.#offsets.clear();
    this.#timers.cancelAll();
  }

  #gate(): GroupErrorCode {
    switch (this.#status) {
      case "loading":
        return "COORDINATOR_LOAD_IN_PROGRESS";
      case "active":
        return "NONE";
      case "unloaded":
        return "NOT_COORDINATOR";
      default:
        return assertNever(this.#status, "coordinator status");
    }
  }

  /**
   * Applies records produced here (offsets and classic tombstones through replay) and marks
   * them. Consumer group records come already applied from the ConsumerGroupManager.
   */
  #apply(records: readonly GroupCoordinatorRecord[]): void {
    for (const record of records) {
      // GroupMetadata values are checkpoints of the live group, which already holds them.
      if (!isConsumerGroupRecord(record) && (record.type === "OffsetCommit" || record.value === null))
        this.replay(record);
      this.#own.add(record);
    }
  }

  #commit(records: readonly GroupCoordinatorRecord[]): readonly GroupCoordinatorRecord[] {
    this.#apply(records);
    return records;
  }

  // ---------------------------------------------------------------- membership

  joinGroup(ctx: RequestContext, req: JoinGroupRequest): GroupResult<Promise<JoinGroupResponse>> {
    const gate = this.#gate();
    if (gate !== "NONE") return { records: [], response: Promise.resolve(joinError(req.memberId, gate)) };
    // A consumer group's id: an empty one is deleted and becomes a classic group, as in Kafka;
    // classic members cannot join a consumer group that has members (no online migration).
    const consumerGroup = this.#consumerGroups.groups.get(req.groupId);
    let replaced: readonly GroupCoordinatorRecord[] = [];
    if (consumerGroup !== undefined) {
      if (consumerGroup.size > 0) {
        return {
          records: [],
          response: Promise.resolve(joinError(req.memberId, "INCONSISTENT_GROUP_PROTOCOL")),
        };
      }
      replaced = this.#commit(this.#consumerGroups.deleteGroup(req.groupId));
    }
    let respond!: (response: JoinGroupResponse) => void;
    const response = new Promise<JoinGroupResponse>((resolve) => {
      respond = resolve;
    });
    return { records: [...replaced, ...this.#commit(this.#groups.join(ctx, req, respond))], response };
  }

  syncGroup(_ctx: RequestContext, req: SyncGroupRequest): GroupResult<Promise<SyncGroupResponse>> {
    const gate = this.#gate();
    if (gate !== "NONE") return { records: [], response: Promise.resolve(syncError(gate)) };
    let respond!: (response: SyncGroupResponse) => void;
    const response = new Promise<SyncGroupResponse>((resolve) => {
      respond = resolve;
    });
    return { records: this.#commit(this.#groups.sync(req, respond)), response };
  }

  heartbeat(_ctx: RequestContext, req: HeartbeatRequest): HeartbeatResponse {
    const gate = this.#gate();
    // A member heartbeating while the coordinator loads is told all is well, as Kafka does.
    if (gate === "COORDINATOR_LOAD_IN_PROGRESS") return { errorCode: "NONE" };
    if (gate !== "NONE") return { errorCode: gate };
    return this.#groups.heartbeat(req);
  }

  leaveGroup(_ctx: RequestContext, req: LeaveGroupRequest): GroupResult<LeaveGroupResponse> {
    const gate = this.#gate();
    if (gate !== "NONE") return { records: [], response: { errorCode: gate, members: [] } };
    const result = this.#groups.leave(req);
    return { records: this.#commit(result.records), response: result.response };
  }

  // ---------------------------------------------------------------- consumer groups (KIP-848)

  consumerGroupHeartbeat(
    ctx: RequestContext,
    req: ConsumerGroupHeartbeatRequest,
  ): GroupResult<ConsumerGroupHeartbeatResponse> {
    const gate = this.#gate();
    if (gate !== "NONE") {
      const response = {
        errorMessage: null,
        memberId: null,
        memberEpoch: 0,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
      return { records: [], response: { errorCode: gate, ...response } };
    }
    let replaced: readonly GroupCoordinatorRecord[] = [];
    const classic = this.#groups.groups.get(req.groupId);
    if (classic !== undefined && !this.#consumerGroups.groups.has(req.groupId)) {
      const rejected = this.#consumerGroups.heartbeatRejection(ctx, req);
      if (rejected !== null) return rejected;
      // A classic group with members stays classic (Kafka's online upgrade is not implemented);
      // one without (offsets only, or emptied) is deleted and the consumer group takes its id.
      const empty = classic.state === "Empty" && classic.size === 0;
      if (req.memberEpoch !== 0 || !empty) {
        return {
          records: [],
          response: {
            errorCode: "GROUP_ID_NOT_FOUND",
            errorMessage: `Group ${req.groupId} is not a consumer group.`,
            memberId: null,
            memberEpoch: 0,
            heartbeatIntervalMs: 0,
            assignment: null,
          },
        };
      }
      replaced = this.#commit([groupMetadataTombstone(req.groupId)]);
    }
    const result = this.#consumerGroups.heartbeat(ctx, req);
    return { records: [...replaced, ...this.#commit(result.records)], response: result.response };
  }

  consumerGroupDescribe(
    _ctx: RequestContext,
    groupIds: readonly string[],
  ): readonly DescribedConsumerGroup[] {
    const gate = this.#gate();
    if (gate !== "NONE") {
      return groupIds.map((groupId) => ({
        errorCode: gate,
        errorMessage: null,
        groupId,
        groupState: "",
        groupEpoch: 0,
        assignmentEpoch: 0,
        assignorName: "",
        members: [],
      }));
    }
    return this.#consumerGroups.describe(groupIds, (groupId) => this.#groups.groups.has(groupId));
  }

  // ---------------------------------------------------------------- offsets

  commitOffsets(ctx: RequestContext, req: OffsetCommitRequest): GroupResult<OffsetCommitResponse> {
    const gate = this.#gate();
    if (gate !== "NONE") {
      const topics = req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: gate })),
      }));
      return { records: [], response: { topics } };
    }
    const result = this.#offsets.commit(ctx, req);
    return { records: this.#commit(result.records), response: result.response };
  }

  fetchOffsets(_ctx: RequestContext, req: OffsetFetchRequest): OffsetFetchResponse {
    const gate = this.#gate();
    if (gate !== "NONE") return { groupId: req.groupId, errorCode: gate, topics: [] };
    return this.#offsets.fetch(req);
  }

  deleteOffsets(_ctx: RequestContext, req: OffsetDeleteRequest): GroupResult<OffsetDeleteResponse> {
    const gate = this.#gate();
    if (gate !== "NONE") return { records: [], response: { errorCode: gate, topics: [] } };
    const result = this.#offsets.delete(req);
    return { records: this.#commit(result.records), response: result.response };
  }

  /** Offsets of deleted topics are dropped from every group. */
  onTopicsDeleted(topics: readonly string[]): readonly GroupCoordinatorRecord[] {
    if (this.#status !== "active") return [];
    const records: GroupCoordinatorRecord[] = [];
    this.#offsets.deleteTopics(new Set(topics), records);
    return this.#commit(records);
  }

  // ---------------------------------------------------------------- groups

  deleteGroups(
    _ctx: RequestContext,
    groupIds: readonly string[],
  ): GroupResult<readonly DeleteGroupsResult[]> {
    const gate = this.#gate();
    if (gate !== "NONE")
      return { records: [], response: groupIds.map((groupId) => ({ groupId, errorCode: gate })) };
    const records: GroupCoordinatorRecord[] = [];
    const results: DeleteGroupsResult[] = [];
    const deleted = new Set<string>();
    for (const groupId of groupIds) {
      const group = this.#groups.groups.get(groupId);
      const consumerGroup = this.#consumerGroups.groups.get(groupId);
      let errorCode: GroupErrorCode;
      if (!deleted.has(groupId) && consumerGroup !== undefined) {
        errorCode = consumerGroup.state === "Empty" ? "NONE" : "NON_EMPTY_GROUP";
        if (errorCode === "NONE") {
          this.#offsets.deleteAllOffsets(groupId, records);
          records.push(...this.#consumerGroups.deleteGroup(groupId));
          deleted.add(groupId);
        }
      } else if (deleted.has(groupId) || group === undefined) {
        errorCode = "GROUP_ID_NOT_FOUND";
      } else {
        errorCode = deletable(group);
        if (errorCode === "NONE") {
          this.#offsets.deleteAllOffsets(groupId, records);
          records.push(groupMetadataTombstone(groupId));
          deleted.add(groupId);
        }
      }
      results.push({ groupId, errorCode });
    }
    return { records: this.#commit(records), response: results };
  }

  listGroups(_ctx: RequestContext, req: ListGroupsRequest = {}): ListGroupsResponse {
    const gate = this.#gate();
    if (gate !== "NONE") return { errorCode: gate, groups: [] };
    const states = new Set((req.statesFilter ?? []).map((s) => s.trim().toLowerCase()));
    const types = new Set((req.typesFilter ?? []).map((t) => t.trim().toLowerCase()));
    const groups: ListedGroup[] = [];
    const wanted = (type: string, state: string) =>
      (types.size === 0 || types.has(type)) && (states.size === 0 || states.has(state.toLowerCase()));
    for (const group of this.#groups.groups.values()) {
      if (!wanted("classic", group.state)) continue;
      groups.push({
        groupId: group.groupId,
        protocolType: group.protocolType ?? "",
        groupState: group.state,
        groupType: "classic",
      });
    }
    for (const group of this.#consumerGroups.groups.values()) {
      const state = group.state;
      if (!wanted("consumer", state)) continue;
      groups.push({
        groupId: group.groupId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        groupState: state,
        groupType: "consumer",
      });
    }
    return { errorCode: "NONE", groups };
  }

  describeGroups(_ctx: RequestContext, groupIds: readonly string[]): readonly DescribedGroup[] {
    const gate = this.#gate();
    return groupIds.map((groupId): DescribedGroup => {
      const group = gate === "NONE" ? this.#groups.groups.get(groupId) : undefined;
      if (group === undefined) {
        return {
          errorCode: gate,
          groupId,
          groupState: "Dead",
          protocolType: "",
          protocolData: "",
          members: [],
        };
      }
      // Member metadata is shown only when Stable: then it is the selected protocol's.
      const stable = group.state === "Stable";
      return {
        errorCode: "NONE",
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? "",
        protocolData: stable ? (group.protocolName ?? "") : "",
        members: [...group.members()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: stable ? (m.metadata(group.protocolName) ?? Buffer.alloc(0)) : Buffer.alloc(0),
          memberAssignment: m.assignment,
        })),
      };
    });
  }

  /** The group states Kafka knows (classic and consumer), for validating ListGroups filters. */
  static readonly groupStates: readonly string[] = [
    ...new Set([...CLASSIC_GROUP_STATES, ...CONSUMER_GROUP_STATES]),
  ];

  // ---------------------------------------------------------------- expiry

  /**
   * Expires offsets (offsets.retention.minutes) and deletes Empty groups left without offsets.
   * Runs every offsets.retention.check.interval.ms once loaded; callable directly too.
   */
  cleanupGroupMetadata(): readonly GroupCoordinatorRecord[] {
    if (this.#status !== "active") return [];
    return this.#commit(this.#collectExpired());
  }

  #collectExpired(): GroupCoordinatorRecord[] {
    const records: GroupCoordinatorRecord[] = [];
    for (const group of this.#groups.groups.values()) {
      const allExpired = this.#offsets.cleanupExpiredOffsets(group, records);
      if (allExpired && group.state === "Empty") records.push(groupMetadataTombstone(group.groupId));
    }
    for (const group of [...this.#consumerGroups.groups.values()]) {
      const allExpired = this.#offsets.cleanupExpiredConsumerGroupOffsets(group, records);
      if (allExpired && group.state === "Empty")
        records.push(...this.#consumerGroups.deleteGroup(group.groupId));
    }
    return records;
  }

  #scheduleCleanup(): void {
    this.#timers.schedule(CLEANUP_KEY, this.config.offsetsRetentionCheckIntervalMs, () => {
      this.#scheduleCleanup();
      return this.#collectExpired();
    });
  }

  // ---------------------------------------------------------------- introspection (tests, metrics)

  /** The committed offset of one partition, or undefined. */
  committedOffset(groupId: string, topic: string, partition: number) {
    return this.#offsets.offset(groupId, topic, partition);
  }

  /** A group's state, generation, leader and member ids; undefined when there is no such group. */
  groupSummary(groupId: string):
    | {
        state: string;
        generationId: number;
        protocolName: string | null;
        leader: string | null;
        members: string[];
      }
    | undefined {
    const group = this.#groups.groups.get(groupId);
    if (group === undefined) return undefined;
    return {
      state: group.state,
      generationId: group.generationId,
      protocolName: group.protocolName,
      leader: group.leaderId,
      members: [...group.members()].map((m) => m.memberId),
    };
  }

  /** A consumer group, for tests and metrics to read (never to change); undefined when none. */
  consumerGroup(groupId: string): ConsumerGroup | undefined {
    return this.#consumerGroups.groups.get(groupId);
  }

  /** Number of live timers (session, rebalance, sync, pending member, cleanup): bounded-memory checks. */
  get timerCount(): number {
    return this.#timers.size;
  }
}

function deletable(group: ClassicGroup): GroupErrorCode {
  switch (group.state) {
    case "Dead":
      return "GROUP_ID_NOT_FOUND";
    case "Stable":
    case "PreparingRebalance":
    case "CompletingRebalance":
      return "NON_EMPTY_GROUP";
    case "Empty":
      return "NONE";
    default:
      return assertNever(group.state, "group state");
  }
}
