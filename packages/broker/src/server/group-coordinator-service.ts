import { buildRecordBatch, ErrorCode, errorName, type RecordInput, readRecordBatches } from "@weir/protocol";
import type { Logger } from "pino";
import type { RequestHeaderInfo } from "../apis/api-handler.js";
import type { BrokerConfig } from "../config/broker-config.js";
import { type BrokerConfigName, brokerConfigDefinition } from "../config/broker-configs.js";
import { joinError, syncError } from "../coordinator/group/classic-group-responses.js";
import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type DeleteGroupsResult,
  type DescribedConsumerGroup,
  type DescribedGroup,
  deserializeGroupRecord,
  GROUP_COORDINATOR_PROPERTIES,
  GroupCoordinator,
  type GroupCoordinatorConfig,
  type GroupCoordinatorRecord,
  type GroupCoordinatorStatus,
  type GroupErrorCode,
  type RequestContext as GroupRequestContext,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type ListGroupsRequest,
  type ListGroupsResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetDeleteRequest,
  type OffsetDeleteResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
  serializeGroupRecord,
  systemScheduler,
  type TopicsView,
} from "../coordinator/group/index.js";
import { WeirError } from "../errors.js";
import type { MetadataChanges } from "../metadata/metadata-delta.js";
import { GROUP_METADATA_TOPIC_NAME } from "../metadata/topic-name.js";
import type { ConnectionInfo } from "../network/connection.js";
import type { Partition } from "../replication/partition.js";
import type { BrokerContext } from "./broker-context.js";

export type { GroupRequestContext };

/** Where a FindCoordinator request should go: a node, or an error with no node. */
export interface CoordinatorLocation {
  readonly errorCode: GroupErrorCode;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

/**
 * The consumer group coordinator as request handlers see it: the sans-I/O GroupCoordinator
 * (coordinator/group/) wired to `__consumer_offsets`. Every operation answers with the
 * coordinator's error names; a mutating one answers only once its records are durable.
 */
export interface GroupCoordinatorService {
  /** "loading" while `__consumer_offsets` is replayed, "active" once serving. */
  readonly status: GroupCoordinatorStatus;
  /** Resolves when the current load of `__consumer_offsets` has finished (or failed). */
  whenLoaded(): Promise<void>;
  /** The `__consumer_offsets` partition of a group. */
  partitionFor(groupId: string): number;
  /**
   * FindCoordinator for a group: creates `__consumer_offsets` on first use, then names the
   * leader of the group's partition as seen on `listenerName`.
   */
  findCoordinator(groupId: string, listenerName: string): Promise<CoordinatorLocation>;
  joinGroup(ctx: GroupRequestContext, req: JoinGroupRequest): Promise<JoinGroupResponse>;
  syncGroup(ctx: GroupRequestContext, req: SyncGroupRequest): Promise<SyncGroupResponse>;
  heartbeat(ctx: GroupRequestContext, req: HeartbeatRequest): HeartbeatResponse;
  leaveGroup(ctx: GroupRequestContext, req: LeaveGroupRequest): Promise<LeaveGroupResponse>;
  commitOffsets(ctx: GroupRequestContext, req: OffsetCommitRequest): Promise<OffsetCommitResponse>;
  fetchOffsets(ctx: GroupRequestContext, req: OffsetFetchRequest): Promise<OffsetFetchResponse>;
  deleteOffsets(ctx: GroupRequestContext, req: OffsetDeleteRequest): Promise<OffsetDeleteResponse>;
  deleteGroups(ctx: GroupRequestContext, groupIds: readonly string[]): Promise<readonly DeleteGroupsResult[]>;
  listGroups(ctx: GroupRequestContext, req: ListGroupsRequest): ListGroupsResponse;
  describeGroups(ctx: GroupRequestContext, groupIds: readonly string[]): readonly DescribedGroup[];
  /** ConsumerGroupHeartbeat (KIP-848): join, heartbeat or leave a consumer group. */
  consumerGroupHeartbeat(
    ctx: GroupRequestContext,
    req: ConsumerGroupHeartbeatRequest,
  ): Promise<ConsumerGroupHeartbeatResponse>;
  consumerGroupDescribe(
    ctx: GroupRequestContext,
    groupIds: readonly string[],
  ): readonly DescribedConsumerGroup[];
  /** Unloads (parked JoinGroup/SyncGroup answer NOT_COORDINATOR), cancels timers, waits for writes. */
  close(): Promise<void>;
}

/** The coordinator's view of who sent a request. Kafka reports client hosts as "/address". */
export function groupRequestContext(
  header: RequestHeaderInfo,
  connection: ConnectionInfo,
): GroupRequestContext {
  return {
    clientId: header.clientId ?? "",
    clientHost: `/${connection.clientHost}`,
    apiVersion: header.apiVersion,
  };
}

/**
 * Starts the group coordinator of this broker. `__consumer_offsets` is created lazily, as Kafka
 * does, by the first FindCoordinator for a group (or the first JoinGroup/OffsetCommit of a client
 * that skipped it), so brokers that never see a consumer group do not carry its 50 partitions.
 * If the topic exists, its partitions are replayed in the background: until that finishes group
 * requests answer COORDINATOR_LOAD_IN_PROGRESS (clients retry), while the rest of the broker
 * already serves.
 */
export async function startGroupCoordinator(
  broker: Omit<BrokerContext, "groups">,
): Promise<GroupCoordinatorService> {
  return new GroupCoordinatorShell(broker);
}

/** How much of a `__consumer_offsets` partition one load step reads. */
const LOAD_CHUNK_BYTES = 1 << 20;

const NONE: Promise<GroupErrorCode> = Promise.resolve("NONE");

/**
 * The error a coordinator answers when appending its records failed, from the append's error
 * (Kafka's mapping: retriable coordinator errors send clients looking for the coordinator again).
 */
export function appendErrorToGroupError(error: string, forOffsetCommit: boolean): GroupErrorCode {
  switch (error) {
    case "NONE":
    case "NOT_COORDINATOR":
    case "COORDINATOR_NOT_AVAILABLE":
    case "COORDINATOR_LOAD_IN_PROGRESS":
      return error;
    case "UNKNOWN_TOPIC_OR_PARTITION":
    case "NOT_ENOUGH_REPLICAS":
    case "NOT_ENOUGH_REPLICAS_AFTER_APPEND":
    case "REQUEST_TIMED_OUT":
      return "COORDINATOR_NOT_AVAILABLE";
    case "NOT_LEADER_OR_FOLLOWER":
    case "KAFKA_STORAGE_ERROR":
      return "NOT_COORDINATOR";
    case "MESSAGE_TOO_LARGE":
    case "RECORD_LIST_TOO_LARGE":
    case "INVALID_FETCH_SIZE":
      return forOffsetCommit ? "INVALID_COMMIT_OFFSET_SIZE" : "UNKNOWN_SERVER_ERROR";
    default:
      return "UNKNOWN_SERVER_ERROR";
  }
}

/** The coordinator's settings from the broker config (Kafka property names). */
export function groupCoordinatorConfig(
  config: BrokerConfig,
  offsetsTopicNumPartitions: number,
): Partial<GroupCoordinatorConfig> {
  const values: Record<string, number | readonly string[]> = {};
  for (const { key, field, scale } of GROUP_COORDINATOR_PROPERTIES) {
    const value = propertyValue(config, key);
    if (value !== undefined) values[field] = value * scale;
  }
  values.offsetsTopicNumPartitions = offsetsTopicNumPartitions;
  const assignors = listPropertyValue(config, "group.consumer.assignors");
  if (assignors !== undefined) values.consumerGroupAssignors = assignors;
  return values as Partial<GroupCoordinatorConfig>;
}

/** A list property's value (group.consumer.assignors). */
function listPropertyValue(config: BrokerConfig, key: BrokerConfigName): readonly string[] | undefined {
  const value: unknown = config.get(key);
  return Array.isArray(value) ? value.map(String) : undefined;
}

function propertyValue(config: BrokerConfig, key: string): number | undefined {
  if (brokerConfigDefinition(key) === undefined) return undefined;
  const value: unknown = config.get(key as BrokerConfigName);
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

/**
 * The I/O shell. One GroupCoordinator serves every `__consumer_offsets` partition this broker
 * leads (all of them on a single node).
 *
 * Writes: the records of an operation (or of a timer) are serialized, grouped into one
 * uncompressed batch per partition and appended to the leader synchronously, right after the
 * operation returned, so the log holds them in the order the coordinator applied them. A
 * response is sent once every write in flight when it was ready is durable: a JoinGroup
 * completed by another member's request waits for that request's records too.
 *
 * Failures: the coordinator applies records before they are written. When an append fails, the
 * in-memory state is ahead of the log, so the coordinator is replaced by a new one replayed from
 * the log (what a Kafka failover does). Requests that spanned the replacement answer the mapped
 * append error instead of success; parked joins answer NOT_COORDINATOR and clients rejoin.
 */
class GroupCoordinatorShell implements GroupCoordinatorService {
  readonly #broker: Omit<BrokerContext, "groups">;
  readonly #logger: Logger;
  #coordinator: GroupCoordinator;
  /** Bumped each time the coordinator is replaced (reload, topic deleted, close). */
  #epoch = 0;
  /** The append error (or NOT_COORDINATOR) that caused the last replacement. */
  #replacedBecause = "NOT_COORDINATOR";
  #loading: Promise<void> = Promise.resolve();
  #loadFailed = false;
  /** Whether `__consumer_offsets` exists with every partition this broker leads open. */
  #topicReady = false;
  #creating: Promise<GroupErrorCode> | undefined;
  readonly #inFlight = new Set<Promise<string>>();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(broker: Omit<BrokerContext, "groups">) {
    this.#broker = broker;
    this.#logger = broker.logger.child({ component: "group-coordinator" });
    this.#coordinator = this.#newCoordinator();
    this.#load("NOT_COORDINATOR");
    this.#unsubscribe = broker.metadata.subscribe(
      { name: "group-coordinator", onImage: (_image, changes) => this.#onMetadata(changes) },
      false,
    );
  }

  get status(): GroupCoordinatorStatus {
    return this.#coordinator.status;
  }

  whenLoaded(): Promise<void> {
    return this.#loading;
  }

  partitionFor(groupId: string): number {
    return this.#coordinator.partitionFor(groupId);
  }

  // ---------------------------------------------------------------- FindCoordinator

  async findCoordinator(groupId: string, listenerName: string): Promise<CoordinatorLocation> {
    if (this.#loadFailed && !this.#closed) this.#load("NOT_COORDINATOR");
    const ready = await this.#ensureTopic();
    if (ready !== "NONE") return noCoordinator(ready, "The coordinator is not available.");
    const image = this.#broker.metadata.image;
    const partition = image.topic(GROUP_METADATA_TOPIC_NAME)?.partitions[this.partitionFor(groupId)];
    if (partition === undefined || partition.leader < 0) {
      return noCoordinator("COORDINATOR_NOT_AVAILABLE", "The coordinator is not available.");
    }
    if (partition.leader === this.#broker.nodeId) {
      const { host, port } = this.#broker.advertised;
      return { errorCode: "NONE", errorMessage: null, nodeId: this.#broker.nodeId, host, port };
    }
    const endpoint = image.broker(partition.leader)?.endpoints.find((e) => e.name === listenerName);
    if (endpoint === undefined)
      return noCoordinator("COORDINATOR_NOT_AVAILABLE", "The coordinator is not available.");
    return {
      errorCode: "NONE",
      errorMessage: null,
      nodeId: partition.leader,
      host: endpoint.host,
      port: endpoint.port,
    };
  }

  // ---------------------------------------------------------------- membership

  async joinGroup(ctx: GroupRequestContext, req: JoinGroupRequest): Promise<JoinGroupResponse> {
    const ready = await this.#ensureTopic();
    if (ready !== "NONE") return joinError(req.memberId, ready);
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.joinGroup(ctx, req);
    this.#append(records);
    const answer = await response;
    const error = await this.#settle(epoch, false);
    return error === "NONE" ? answer : joinError(answer.memberId, error);
  }

  async syncGroup(ctx: GroupRequestContext, req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.syncGroup(ctx, req);
    this.#append(records);
    const answer = await response;
    const error = await this.#settle(epoch, false);
    return error === "NONE" ? answer : syncError(error);
  }

  heartbeat(ctx: GroupRequestContext, req: HeartbeatRequest): HeartbeatResponse {
    return this.#coordinator.heartbeat(ctx, req);
  }

  async leaveGroup(ctx: GroupRequestContext, req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.leaveGroup(ctx, req);
    this.#append(records);
    const error = await this.#settle(epoch, false);
    return error === "NONE" ? response : { errorCode: error, members: [] };
  }

  // ---------------------------------------------------------------- offsets

  async commitOffsets(ctx: GroupRequestContext, req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const ready = await this.#ensureTopic();
    if (ready !== "NONE") return { topics: allPartitionsFailed(req, ready) };
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.commitOffsets(ctx, req);
    this.#append(records);
    const error = await this.#settle(epoch, true);
    if (error === "NONE") return response;
    return {
      topics: response.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => (p.errorCode === "NONE" ? { ...p, errorCode: error } : p)),
      })),
    };
  }

  /**
   * Offsets as of every write in flight when the request arrived: a commit whose response was
   * sent is always visible to a later fetch (there are no transactional offsets yet, so
   * requireStable has nothing else to wait for).
   */
  async fetchOffsets(ctx: GroupRequestContext, req: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    await this.#writesInFlight();
    return this.#coordinator.fetchOffsets(ctx, req);
  }

  async deleteOffsets(ctx: GroupRequestContext, req: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.deleteOffsets(ctx, req);
    this.#append(records);
    const error = await this.#settle(epoch, false);
    return error === "NONE" ? response : { errorCode: error, topics: [] };
  }

  // ---------------------------------------------------------------- groups

  async deleteGroups(
    ctx: GroupRequestContext,
    groupIds: readonly string[],
  ): Promise<readonly DeleteGroupsResult[]> {
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.deleteGroups(ctx, groupIds);
    this.#append(records);
    const error = await this.#settle(epoch, false);
    if (error === "NONE") return response;
    return response.map((r) => (r.errorCode === "NONE" ? { ...r, errorCode: error } : r));
  }

  listGroups(ctx: GroupRequestContext, req: ListGroupsRequest): ListGroupsResponse {
    return this.#coordinator.listGroups(ctx, req);
  }

  describeGroups(ctx: GroupRequestContext, groupIds: readonly string[]): readonly DescribedGroup[] {
    return this.#coordinator.describeGroups(ctx, groupIds);
  }

  // ---------------------------------------------------------------- consumer groups (KIP-848)

  async consumerGroupHeartbeat(
    ctx: GroupRequestContext,
    req: ConsumerGroupHeartbeatRequest,
  ): Promise<ConsumerGroupHeartbeatResponse> {
    const failed = (errorCode: GroupErrorCode): ConsumerGroupHeartbeatResponse => ({
      errorCode,
      errorMessage: null,
      memberId: null,
      memberEpoch: 0,
      heartbeatIntervalMs: 0,
      assignment: null,
    });
    const ready = await this.#ensureTopic();
    if (ready !== "NONE") return failed(ready);
    const epoch = this.#epoch;
    const { records, response } = this.#coordinator.consumerGroupHeartbeat(ctx, req);
    this.#append(records);
    const error = await this.#settle(epoch, false);
    return error === "NONE" ? response : failed(error);
  }

  consumerGroupDescribe(
    ctx: GroupRequestContext,
    groupIds: readonly string[],
  ): readonly DescribedConsumerGroup[] {
    return this.#coordinator.consumerGroupDescribe(ctx, groupIds);
  }

  // ---------------------------------------------------------------- life cycle

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#epoch++;
    this.#replacedBecause = "NOT_COORDINATOR";
    this.#coordinator.onUnloaded();
    await this.#loading.catch(() => undefined);
    await this.#creating?.catch(() => undefined);
    await Promise.allSettled([...this.#inFlight]);
    this.#logger.debug("group coordinator closed");
  }

  #newCoordinator(): GroupCoordinator {
    const numPartitions =
      this.#broker.metadata.image.topic(GROUP_METADATA_TOPIC_NAME)?.partitions.length ??
      this.#broker.config.get("offsets.topic.num.partitions");
    const coordinator: GroupCoordinator = new GroupCoordinator({
      clock: { now: this.#broker.now },
      scheduler: systemScheduler,
      config: groupCoordinatorConfig(this.#broker.config, numPartitions),
      onRecords: (records) => {
        if (this.#coordinator === coordinator) this.#append(records);
      },
      partitionExists: (topic, partition) => {
        const t = this.#broker.metadata.image.topic(topic);
        return (
          t !== undefined && Number.isInteger(partition) && partition >= 0 && partition < t.partitions.length
        );
      },
      topics: () => this.#topicsView(),
    });
    return coordinator;
  }

  /** The metadata image as consumer groups see it: topics by name and id, with partition counts. */
  #topicsView(): TopicsView {
    const image = this.#broker.metadata.image;
    const info = (t: { name: string; id: string; partitions: readonly unknown[] } | undefined) =>
      t === undefined ? undefined : { id: t.id, name: t.name, numPartitions: t.partitions.length };
    return {
      topic: (name) => info(image.topic(name)),
      topicById: (id) => info(image.topicById(id)),
      topicNames: () => image.topicsByName.keys(),
    };
  }

  /**
   * Replaces the coordinator by a new one loaded from `__consumer_offsets`: the old one is
   * unloaded (parked requests answer NOT_COORDINATOR, timers stop); the new one answers
   * COORDINATOR_LOAD_IN_PROGRESS until every partition is replayed.
   */
  #load(reason: string): void {
    this.#coordinator.onUnloaded();
    this.#epoch++;
    this.#replacedBecause = reason;
    this.#loadFailed = false;
    const coordinator = this.#newCoordinator();
    this.#coordinator = coordinator;
    const topic = this.#broker.metadata.image.topic(GROUP_METADATA_TOPIC_NAME);
    if (topic === undefined) {
      // Nothing to load: serve at once (the topic is created on first use).
      this.#append(coordinator.onLoaded());
      this.#loading = Promise.resolve();
      return;
    }
    const started = this.#broker.now();
    this.#loading = this.#replayTopic(coordinator).then(
      (replayed) => {
        if (this.#coordinator !== coordinator || this.#closed) return;
        this.#append(coordinator.onLoaded());
        this.#logger.info(
          { records: replayed, ms: this.#broker.now() - started },
          `loaded ${GROUP_METADATA_TOPIC_NAME}`,
        );
      },
      (err: unknown) => {
        if (this.#coordinator !== coordinator) return;
        this.#logger.error(
          { err },
          `could not load ${GROUP_METADATA_TOPIC_NAME}; the next FindCoordinator retries`,
        );
        coordinator.onUnloaded();
        this.#loadFailed = true;
      },
    );
  }

  /** Replays every partition of `__consumer_offsets` this broker leads; returns the record count. */
  async #replayTopic(coordinator: GroupCoordinator): Promise<number> {
    await this.#broker.partitions.settled();
    const topic = this.#broker.metadata.image.topic(GROUP_METADATA_TOPIC_NAME);
    let replayed = 0;
    for (const registration of topic?.partitions ?? []) {
      if (registration.leader !== this.#broker.nodeId) continue;
      const partition = this.#broker.replicaManager.getPartition(
        GROUP_METADATA_TOPIC_NAME,
        registration.partitionId,
      );
      if (partition === undefined) {
        throw new WeirError(
          "COORDINATOR_LOAD_FAILED",
          `${GROUP_METADATA_TOPIC_NAME}-${registration.partitionId} is not open on this broker`,
        );
      }
      replayed += await this.#replayPartition(coordinator, partition);
      if (this.#coordinator !== coordinator || this.#closed) return replayed;
    }
    return replayed;
  }

  /**
   * Reads one partition from its log start to its log end in chunks of whole batches and
   * replays each record. Control batches are skipped. Transactional batches are skipped too:
   * nothing writes them yet — when TxnOffsetCommit arrives, loading must hold a producer's
   * offsets until its COMMIT marker and drop them on ABORT.
   */
  async #replayPartition(coordinator: GroupCoordinator, partition: Partition): Promise<number> {
    const log = partition.log;
    const end = log.logEndOffset;
    let offset = log.logStartOffset;
    let replayed = 0;
    while (offset < end) {
      const { records } = log.read(offset, LOAD_CHUNK_BYTES, end, true);
      if (records.length === 0) break;
      const before = offset;
      for (const batch of readRecordBatches(records)) {
        if (batch.nextOffset <= offset) continue;
        if (!batch.isControl && !batch.isTransactional) {
          for (const record of batch.records()) {
            if (record.offset < offset || record.key === null) continue;
            if (this.#replayRecord(coordinator, partition, record.offset, record.key, record.value))
              replayed++;
          }
        }
        offset = batch.nextOffset;
      }
      if (offset <= before) {
        throw new WeirError(
          "COORDINATOR_LOAD_FAILED",
          `${partition.key}: no progress reading at offset ${before}`,
        );
      }
      if (this.#coordinator !== coordinator || this.#closed) return replayed;
      // Let requests and other partitions' work run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return replayed;
  }

  #replayRecord(
    coordinator: GroupCoordinator,
    partition: Partition,
    offset: number,
    key: Buffer,
    value: Buffer | null,
  ): boolean {
    let record: GroupCoordinatorRecord | null;
    try {
      record = deserializeGroupRecord(key, value);
    } catch (err) {
      this.#logger.warn({ err, partition: partition.key, offset }, "skipping an unreadable group record");
      return false;
    }
    // Record types of newer protocols (share groups, streams groups) are not ours.
    if (record === null) return false;
    coordinator.replay(record);
    return true;
  }

  // ---------------------------------------------------------------- writes

  /** Creates `__consumer_offsets` when it does not exist yet and waits until its logs are open. */
  #ensureTopic(): Promise<GroupErrorCode> {
    if (this.#closed) return Promise.resolve("NOT_COORDINATOR");
    if (this.#topicReady || this.#checkTopicReady()) return NONE;
    this.#creating ??= this.#createTopic().finally(() => {
      this.#creating = undefined;
    });
    return this.#creating;
  }

  #checkTopicReady(): boolean {
    const topic = this.#broker.metadata.image.topic(GROUP_METADATA_TOPIC_NAME);
    if (topic === undefined) return false;
    for (const p of topic.partitions) {
      if (
        p.leader === this.#broker.nodeId &&
        this.#broker.replicaManager.getPartition(topic.name, p.partitionId) === undefined
      )
        return false;
    }
    this.#topicReady = true;
    return true;
  }

  async #createTopic(): Promise<GroupErrorCode> {
    try {
      const results = await this.#broker.metadata.submit((image, controller) =>
        controller.autoCreateTopics(image, [GROUP_METADATA_TOPIC_NAME]),
      );
      const result = results[0];
      if (result !== undefined && result.error !== "NONE") {
        this.#logger.warn(
          { error: result.error, message: result.errorMessage },
          `could not create ${GROUP_METADATA_TOPIC_NAME}`,
        );
        return "COORDINATOR_NOT_AVAILABLE";
      }
      if (result?.created) {
        this.#logger.info(
          { partitions: this.#broker.metadata.image.topic(GROUP_METADATA_TOPIC_NAME)?.partitions.length },
          `created ${GROUP_METADATA_TOPIC_NAME}`,
        );
      }
      await this.#broker.partitions.settled();
    } catch (err) {
      this.#logger.warn({ err }, `could not create ${GROUP_METADATA_TOPIC_NAME}`);
      return "COORDINATOR_NOT_AVAILABLE";
    }
    return this.#checkTopicReady() ? "NONE" : "COORDINATOR_NOT_AVAILABLE";
  }

  /** Appends records now (one batch per partition); failures replace the coordinator. */
  #append(records: readonly GroupCoordinatorRecord[]): void {
    if (records.length === 0) return;
    const now = this.#broker.now();
    const byPartition = new Map<number, RecordInput[]>();
    for (const record of records) {
      const { key, value } = serializeGroupRecord(record);
      const partition = this.#coordinator.partitionFor(record.group);
      let batch = byPartition.get(partition);
      if (batch === undefined) {
        batch = [];
        byPartition.set(partition, batch);
      }
      batch.push({ key, value, timestamp: now });
    }
    const epoch = this.#epoch;
    const appends = [...byPartition].map(([partition, batch]) => this.#appendBatch(partition, batch, now));
    const write = Promise.all(appends).then((errors) => {
      const failed = errors.find((e) => e !== "NONE");
      if (failed === undefined) return "NONE";
      // State the log does not hold must not be served: reload, unless that already happened.
      if (epoch === this.#epoch && !this.#closed) this.#load(failed);
      return failed;
    });
    this.#inFlight.add(write);
    const done = () => this.#inFlight.delete(write);
    write.then(done, done);
  }

  /** One batch to one partition; resolves with the Kafka error name once durable (or failed). */
  #appendBatch(partitionIndex: number, records: RecordInput[], now: number): Promise<string> {
    const partition = this.#broker.replicaManager.getPartition(GROUP_METADATA_TOPIC_NAME, partitionIndex);
    const where = `${GROUP_METADATA_TOPIC_NAME}-${partitionIndex}`;
    if (partition === undefined) {
      this.#logger.error({ partition: where }, "group records for a partition that is not open here");
      return Promise.resolve("UNKNOWN_TOPIC_OR_PARTITION");
    }
    let result: ReturnType<Partition["appendRecordsToLeader"]>;
    try {
      result = partition.appendRecordsToLeader(buildRecordBatch(records), now);
    } catch (err) {
      this.#logger.error({ err, partition: where }, "appending group records failed");
      return Promise.resolve("KAFKA_STORAGE_ERROR");
    }
    if (result.errorCode !== ErrorCode.NONE) {
      const error = errorName(result.errorCode);
      this.#logger.error(
        { partition: where, error, message: result.errorMessage },
        "appending group records failed",
      );
      return Promise.resolve(error);
    }
    return result.committed.then(
      () => "NONE",
      (err: unknown) => {
        this.#logger.error({ err, partition: where }, "group records did not become durable");
        return "KAFKA_STORAGE_ERROR";
      },
    );
  }

  /** Resolves when every write in flight now has settled. */
  async #writesInFlight(): Promise<void> {
    if (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /**
   * Waits for the writes a response depends on; answers NONE, or the error to send instead when
   * the coordinator that computed the response was replaced meanwhile.
   */
  async #settle(epoch: number, forOffsetCommit: boolean): Promise<GroupErrorCode> {
    await this.#writesInFlight();
    return this.#epoch === epoch ? "NONE" : appendErrorToGroupError(this.#replacedBecause, forOffsetCommit);
  }

  // ---------------------------------------------------------------- metadata

  #onMetadata(changes: MetadataChanges): void {
    if (this.#closed) return;
    const deleted = changes.deletedTopics.map((t) => t.name);
    if (deleted.includes(GROUP_METADATA_TOPIC_NAME)) {
      // Kafka lets an operator delete it; every group and offset goes with it.
      this.#logger.warn(`${GROUP_METADATA_TOPIC_NAME} was deleted: dropping every group and offset`);
      this.#topicReady = false;
      this.#load("NOT_COORDINATOR");
      return;
    }
    const created = changes.createdTopics.find((t) => t.name === GROUP_METADATA_TOPIC_NAME);
    if (
      created !== undefined &&
      created.partitions.length !== this.#coordinator.config.offsetsTopicNumPartitions
    ) {
      // Created by someone else with another partition count: groups map to partitions by it.
      this.#load("NOT_COORDINATOR");
    }
    if (deleted.length > 0) this.#append(this.#coordinator.onTopicsDeleted(deleted));
  }
}

function noCoordinator(errorCode: GroupErrorCode, errorMessage: string): CoordinatorLocation {
  return { errorCode, errorMessage, nodeId: -1, host: "", port: -1 };
}

function allPartitionsFailed(
  req: OffsetCommitRequest,
  errorCode: GroupErrorCode,
): OffsetCommitResponse["topics"] {
  return req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));
}
