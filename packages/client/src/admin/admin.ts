import type { Cluster } from "../cluster/cluster.js";
import type { AdminConfig } from "../config/options-table.js";
import { ClientClosedError } from "../errors.js";
import type {
  AdminCallOptions,
  AlterConfigsResource,
  ClusterDescription,
  ConfigDescription,
  ConfigResource,
  CreatedTopic,
  DeletedRecords,
  DeleteRecordsEntry,
  DescribeConfigsOptions,
  DescribeGroupsOptions,
  GroupDescription,
  GroupOffset,
  IncrementalAlterConfigsResource,
  ListedGroup,
  ListedOffset,
  ListGroupsOptions,
  ListOffsetsOptions,
  ListOffsetsRequestEntry,
  NewPartitions,
  NewTopic,
  ResetGroupOffsetsOptions,
  TopicDescription,
  ValidateOnlyOptions,
} from "./admin-types.js";
import { ConfigAdmin } from "./config-admin.js";
import { GroupAdmin } from "./group-admin.js";
import { OffsetAdmin } from "./offset-admin.js";
import { TopicAdmin } from "./topic-admin.js";

/**
 * Cluster administration: topics, partitions, configs, brokers, offsets, record deletion and
 * consumer groups.
 * Create one with `kafka.admin()`. Every call retries what Kafka calls retriable (a moved
 * controller or leader, a broken connection) within its time budget (default.api.timeout.ms or
 * the call's `timeoutMs`) and otherwise rejects with a KafkaError named after Kafka's error code;
 * a call on several items rejects with the first failure and counts the others in its message.
 */
export class Admin {
  readonly #config: AdminConfig;
  readonly #cluster: Cluster;
  readonly #topics: TopicAdmin;
  readonly #configs: ConfigAdmin;
  readonly #offsets: OffsetAdmin;
  readonly #groups: GroupAdmin;

  /** @internal Use `kafka.admin()`. */
  constructor(config: AdminConfig, cluster: Cluster) {
    this.#config = config;
    this.#cluster = cluster;
    this.#topics = new TopicAdmin(cluster, config);
    this.#configs = new ConfigAdmin(cluster, config);
    this.#offsets = new OffsetAdmin(cluster, config);
    this.#groups = new GroupAdmin(cluster, config, this);
  }

  /** Connects and loads cluster metadata, failing with NetworkError if no broker answers in time. */
  connect(options: AdminCallOptions = {}): Promise<void> {
    return this.#call(async () => {
      await this.#cluster.loadMetadata(options.timeoutMs ?? this.#config.defaultApiTimeoutMs);
    });
  }

  /** Closes the connections; calls in progress fail with CLIENT_CLOSED. */
  async close(): Promise<void> {
    this.#cluster.close();
  }

  // ---- topics --------------------------------------------------------------------------------

  /** Creates topics; resolves with what the controller created (ids and partition counts). */
  createTopics(topics: readonly NewTopic[], options: ValidateOnlyOptions = {}): Promise<CreatedTopic[]> {
    return this.#call(() => this.#topics.createTopics(topics, options));
  }

  /** Deletes topics by name. */
  deleteTopics(names: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    return this.#call(() => this.#topics.deleteTopics(names, options));
  }

  /** Names of the topics in the cluster (internal ones only when asked). */
  listTopics(options: AdminCallOptions & { includeInternal?: boolean } = {}): Promise<string[]> {
    return this.#call(() => this.#topics.listTopics(options));
  }

  /** Partitions, leaders, replicas and in-sync replicas of topics. */
  describeTopics(names: readonly string[], options: AdminCallOptions = {}): Promise<TopicDescription[]> {
    return this.#call(() => this.#topics.describeTopics(names, options));
  }

  /** Raises the partition count of topics. */
  createPartitions(updates: readonly NewPartitions[], options: ValidateOnlyOptions = {}): Promise<void> {
    return this.#call(() => this.#topics.createPartitions(updates, options));
  }

  // ---- configs -------------------------------------------------------------------------------

  /** Configs of topics, brokers and other resources, with their sources. */
  describeConfigs(
    resources: readonly ConfigResource[],
    options: DescribeConfigsOptions = {},
  ): Promise<ConfigDescription[]> {
    return this.#call(() => this.#configs.describeConfigs(resources, options));
  }

  /** Replaces the dynamic configs of resources (AlterConfigs: what is not listed is reset). */
  alterConfigs(resources: readonly AlterConfigsResource[], options: ValidateOnlyOptions = {}): Promise<void> {
    return this.#call(() => this.#configs.alterConfigs(resources, options));
  }

  /** Sets, deletes, appends to or subtracts from individual configs (IncrementalAlterConfigs). */
  incrementalAlterConfigs(
    resources: readonly IncrementalAlterConfigsResource[],
    options: ValidateOnlyOptions = {},
  ): Promise<void> {
    return this.#call(() => this.#configs.incrementalAlterConfigs(resources, options));
  }

  // ---- cluster -------------------------------------------------------------------------------

  /** Cluster id, controller and brokers (DescribeCluster, or Metadata on brokers without it). */
  describeCluster(options: AdminCallOptions = {}): Promise<ClusterDescription> {
    return this.#call(() => this.#topics.describeCluster(options));
  }

  // ---- offsets and records -------------------------------------------------------------------

  /** Offsets of partitions: earliest, latest, the one with the largest timestamp, or by time. */
  listOffsets(
    requests: readonly ListOffsetsRequestEntry[],
    options: ListOffsetsOptions = {},
  ): Promise<ListedOffset[]> {
    return this.#call(() => this.#offsets.listOffsets(requests, options));
  }

  /** Deletes the records of partitions before the given offsets (DeleteRecords). */
  deleteRecords(
    entries: readonly DeleteRecordsEntry[],
    options: AdminCallOptions = {},
  ): Promise<DeletedRecords[]> {
    return this.#call(() => this.#offsets.deleteRecords(entries, options));
  }

  // ---- consumer groups -----------------------------------------------------------------------

  /** Every group of the cluster (asks every broker), optionally only in some states or of some types. */
  listGroups(options: ListGroupsOptions = {}): Promise<ListedGroup[]> {
    return this.#call(() => this.#groups.listGroups(options));
  }

  /**
   * Groups' state, assignor and members with their partitions; with `includeLag`, also each
   * partition's committed offset, end offset and lag (kafka-consumer-groups --describe). A group
   * that does not exist is described with state "Dead" and no members.
   */
  describeGroups(
    groupIds: readonly string[],
    options: DescribeGroupsOptions = {},
  ): Promise<GroupDescription[]> {
    return this.#call(() => this.#groups.describeGroups(groupIds, options));
  }

  /** Deletes groups with no members, committed offsets included (NON_EMPTY_GROUP otherwise). */
  deleteGroups(groupIds: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    return this.#call(() => this.#groups.deleteGroups(groupIds, options));
  }

  /** A group's committed offsets (all, or of `partitions`); partitions without one are left out. */
  listGroupOffsets(
    groupId: string,
    options: AdminCallOptions & { partitions?: readonly { topic: string; partition: number }[] } = {},
  ): Promise<GroupOffset[]> {
    return this.#call(() => this.#groups.listGroupOffsets(groupId, options));
  }

  /** Commits the given offsets for a group without active members (NON_EMPTY_GROUP otherwise). */
  alterGroupOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: number; metadata?: string | null }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    return this.#call(() => this.#groups.alterGroupOffsets(groupId, offsets, options));
  }

  /**
   * Moves a group's committed offsets for topics or partitions: `to` "earliest", "latest",
   * `{ offset }`, `{ timestamp }` or `{ shiftBy }` (kept within each partition's range). The group
   * must have no members. Resolves with the new offsets; `dryRun` only computes them.
   */
  resetGroupOffsets(groupId: string, options: ResetGroupOffsetsOptions): Promise<GroupOffset[]> {
    return this.#call(() => this.#groups.resetGroupOffsets(groupId, options));
  }

  /** Deletes a group's committed offsets of partitions of topics it no longer subscribes to. */
  deleteGroupOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    return this.#call(() => this.#groups.deleteGroupOffsets(groupId, partitions, options));
  }

  /**
   * Every call: fails at once on a closed client, and holds the process open until it settles
   * (KeepAlive), whatever backoff it is waiting in.
   */
  #call<T>(operation: () => Promise<T>): Promise<T> {
    return this.#cluster.keepAlive.during(async () => {
      if (this.#cluster.closed) throw new ClientClosedError("the admin client is closed");
      return operation();
    });
  }
}
