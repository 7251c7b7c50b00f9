import { ApiKey, ErrorCode, ZERO_UUID } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { withRetries } from "../cluster/retry.js";
import type { AdminConfig } from "../config/options-table.js";
import { brokerError, ClientClosedError, KafkaError } from "../errors.js";
import { type Outcomes, runAdminCall } from "./admin-call.js";
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
import { configEntry, configResourceType, configTarget, OPERATION_CODES } from "./config-codes.js";
import { GroupAdmin } from "./group-admin.js";
import { groupByLeader, offsetSpecTimestamp } from "./partition-routing.js";

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
  readonly #groups: GroupAdmin;

  /** @internal Use `kafka.admin()`. */
  constructor(config: AdminConfig, cluster: Cluster) {
    this.#config = config;
    this.#cluster = cluster;
    this.#groups = new GroupAdmin(cluster, config, this);
  }

  /** Connects and loads cluster metadata, failing with NetworkError if no broker answers in time. */
  async connect(options: AdminCallOptions = {}): Promise<void> {
    this.#checkOpen();
    await withRetries(() => this.#cluster.refreshMetadata(), {
      deadline: Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
      backoffMs: this.#config.retryBackoffMs,
      backoffMaxMs: this.#config.retryBackoffMaxMs,
      what: "connecting to the cluster",
    });
  }

  /** Closes the connections; calls in progress fail with CLIENT_CLOSED. */
  async close(): Promise<void> {
    this.#cluster.close();
  }

  // ---- topics --------------------------------------------------------------------------------

  /** Creates topics; resolves with what the controller created (ids and partition counts). */
  async createTopics(
    topics: readonly NewTopic[],
    options: ValidateOnlyOptions = {},
  ): Promise<CreatedTopic[]> {
    this.#checkOpen();
    const timeoutMs = options.timeoutMs ?? this.#config.defaultApiTimeoutMs;
    return runAdminCall(
      this.#cluster,
      this.#config,
      "CreateTopics",
      topics.length,
      async (pending) => {
        const { response } = await this.#cluster.send("controller", ApiKey.CreateTopics, () => ({
          topics: pending.map((i) => {
            const t = topics[i];
            const assignment = t.replicaAssignment;
            return {
              name: t.name,
              numPartitions: assignment !== undefined ? -1 : (t.numPartitions ?? -1),
              replicationFactor: assignment !== undefined ? -1 : (t.replicationFactor ?? -1),
              assignments: (assignment ?? []).map((brokerIds, partitionIndex) => ({
                partitionIndex,
                brokerIds: [...brokerIds],
              })),
              configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
            };
          }),
          timeoutMs,
          validateOnly: options.validateOnly ?? false,
        }));
        const byName = new Map(response.topics.map((r) => [r.name, r]));
        const out: Outcomes<CreatedTopic> = new Map();
        for (const i of pending) {
          const r = byName.get(topics[i].name);
          if (r === undefined) continue;
          out.set(
            i,
            r.errorCode !== ErrorCode.NONE
              ? brokerError(r.errorCode, `creating topic ${r.name}`, {
                  message: r.errorMessage,
                  topic: r.name,
                })
              : {
                  name: r.name,
                  topicId: r.topicId ?? ZERO_UUID,
                  numPartitions: r.numPartitions ?? -1,
                  replicationFactor: r.replicationFactor ?? -1,
                },
          );
        }
        return out;
      },
      timeoutMs,
    );
  }

  /** Deletes topics by name. */
  async deleteTopics(names: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    this.#checkOpen();
    const timeoutMs = options.timeoutMs ?? this.#config.defaultApiTimeoutMs;
    await runAdminCall(
      this.#cluster,
      this.#config,
      "DeleteTopics",
      names.length,
      async (pending) => {
        const { response } = await this.#cluster.send("controller", ApiKey.DeleteTopics, (v) => {
          const chosen = pending.map((i) => names[i]);
          return v >= 6
            ? { topics: chosen.map((name) => ({ name, topicId: ZERO_UUID })), timeoutMs }
            : { topicNames: chosen, timeoutMs };
        });
        const byName = new Map(response.responses.map((r) => [r.name, r]));
        const out: Outcomes<true> = new Map();
        for (const i of pending) {
          const r = byName.get(names[i]);
          if (r === undefined) continue;
          out.set(
            i,
            r.errorCode !== ErrorCode.NONE
              ? brokerError(r.errorCode, `deleting topic ${names[i]}`, {
                  message: r.errorMessage,
                  topic: names[i],
                })
              : true,
          );
        }
        return out;
      },
      timeoutMs,
    );
    for (const name of names) this.#cluster.removeInterest(name);
  }

  /** Names of the topics in the cluster (internal ones only when asked). */
  async listTopics(options: AdminCallOptions & { includeInternal?: boolean } = {}): Promise<string[]> {
    this.#checkOpen();
    const [names] = await runAdminCall(
      this.#cluster,
      this.#config,
      "listing topics",
      1,
      async () => {
        const { response } = await this.#cluster.describeTopics(null);
        const out: Outcomes<string[]> = new Map();
        out.set(
          0,
          response.topics
            .filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null)
            .filter((t) => options.includeInternal === true || !t.isInternal)
            .map((t) => t.name as string)
            .sort(),
        );
        return out;
      },
      options.timeoutMs,
    );
    return names;
  }

  /** Partitions, leaders, replicas and in-sync replicas of topics. */
  async describeTopics(
    names: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<TopicDescription[]> {
    this.#checkOpen();
    return runAdminCall(
      this.#cluster,
      this.#config,
      "describing topics",
      names.length,
      async (pending) => {
        const { response } = await this.#cluster.describeTopics(pending.map((i) => names[i]));
        const byName = new Map(response.topics.map((t) => [t.name, t]));
        const out: Outcomes<TopicDescription> = new Map();
        for (const i of pending) {
          const t = byName.get(names[i]);
          if (t === undefined) continue;
          if (t.errorCode !== ErrorCode.NONE) {
            out.set(i, brokerError(t.errorCode, `describing topic ${names[i]}`, { topic: names[i] }));
            continue;
          }
          out.set(i, {
            name: names[i],
            topicId: t.topicId ?? ZERO_UUID,
            isInternal: t.isInternal ?? false,
            partitions: t.partitions
              .map((p) => ({
                partition: p.partitionIndex,
                leader: p.leaderId,
                leaderEpoch: p.leaderEpoch ?? -1,
                replicas: p.replicaNodes,
                isr: p.isrNodes,
                offlineReplicas: p.offlineReplicas ?? [],
              }))
              .sort((a, b) => a.partition - b.partition),
          });
        }
        return out;
      },
      options.timeoutMs,
    );
  }

  /** Raises the partition count of topics. */
  async createPartitions(
    updates: readonly NewPartitions[],
    options: ValidateOnlyOptions = {},
  ): Promise<void> {
    this.#checkOpen();
    const timeoutMs = options.timeoutMs ?? this.#config.defaultApiTimeoutMs;
    await runAdminCall(
      this.#cluster,
      this.#config,
      "CreatePartitions",
      updates.length,
      async (pending) => {
        const { response } = await this.#cluster.send("controller", ApiKey.CreatePartitions, () => ({
          topics: pending.map((i) => ({
            name: updates[i].topic,
            count: updates[i].count,
            assignments: updates[i].assignments?.map((ids) => ({ brokerIds: [...ids] })) ?? null,
          })),
          timeoutMs,
          validateOnly: options.validateOnly ?? false,
        }));
        const byName = new Map(response.results.map((r) => [r.name, r]));
        const out: Outcomes<true> = new Map();
        for (const i of pending) {
          const r = byName.get(updates[i].topic);
          if (r === undefined) continue;
          out.set(
            i,
            r.errorCode !== ErrorCode.NONE
              ? brokerError(r.errorCode, `adding partitions to ${r.name}`, {
                  message: r.errorMessage,
                  topic: r.name,
                })
              : true,
          );
        }
        return out;
      },
      timeoutMs,
    );
  }

  // ---- configs -------------------------------------------------------------------------------

  /** Configs of topics, brokers and other resources, with their sources. */
  async describeConfigs(
    resources: readonly ConfigResource[],
    options: DescribeConfigsOptions = {},
  ): Promise<ConfigDescription[]> {
    this.#checkOpen();
    for (const r of resources) configResourceType(r.type);
    return this.#perTarget(resources, "DescribeConfigs", options.timeoutMs, async (target, indexes) => {
      const { version, response } = await this.#cluster.send(target, ApiKey.DescribeConfigs, () => ({
        resources: indexes.map((i) => ({
          resourceType: configResourceType(resources[i].type),
          resourceName: resources[i].name,
          configurationKeys: options.keys === undefined ? null : [...options.keys],
        })),
        includeSynonyms: options.includeSynonyms ?? false,
        includeDocumentation: options.includeDocumentation ?? false,
      }));
      const out: Outcomes<ConfigDescription> = new Map();
      for (const i of indexes) {
        const r = response.results.find(
          (x) =>
            x.resourceName === resources[i].name && x.resourceType === configResourceType(resources[i].type),
        );
        if (r === undefined) continue;
        out.set(
          i,
          r.errorCode !== ErrorCode.NONE
            ? brokerError(r.errorCode, `describing configs of ${resources[i].type} ${resources[i].name}`, {
                message: r.errorMessage,
              })
            : { ...resources[i], entries: r.configs.map((c) => configEntry(c, version)) },
        );
      }
      return out;
    });
  }

  /** Replaces the dynamic configs of resources (AlterConfigs: what is not listed is reset). */
  async alterConfigs(
    resources: readonly AlterConfigsResource[],
    options: ValidateOnlyOptions = {},
  ): Promise<void> {
    this.#checkOpen();
    await this.#perTarget(resources, "AlterConfigs", options.timeoutMs, async (target, indexes) => {
      const { response } = await this.#cluster.send(target, ApiKey.AlterConfigs, () => ({
        resources: indexes.map((i) => ({
          resourceType: configResourceType(resources[i].type),
          resourceName: resources[i].name,
          configs: Object.entries(resources[i].configs).map(([name, value]) => ({ name, value })),
        })),
        validateOnly: options.validateOnly ?? false,
      }));
      return this.#alterOutcomes(resources, indexes, response.responses, "altering configs");
    });
  }

  /** Sets, deletes, appends to or subtracts from individual configs (IncrementalAlterConfigs). */
  async incrementalAlterConfigs(
    resources: readonly IncrementalAlterConfigsResource[],
    options: ValidateOnlyOptions = {},
  ): Promise<void> {
    this.#checkOpen();
    await this.#perTarget(
      resources,
      "IncrementalAlterConfigs",
      options.timeoutMs,
      async (target, indexes) => {
        const { response } = await this.#cluster.send(target, ApiKey.IncrementalAlterConfigs, () => ({
          resources: indexes.map((i) => ({
            resourceType: configResourceType(resources[i].type),
            resourceName: resources[i].name,
            configs: resources[i].operations.map((op) => ({
              name: op.name,
              configOperation: OPERATION_CODES[op.op],
              value: op.value ?? null,
            })),
          })),
          validateOnly: options.validateOnly ?? false,
        }));
        return this.#alterOutcomes(resources, indexes, response.responses, "altering configs incrementally");
      },
    );
  }

  #alterOutcomes(
    resources: readonly ConfigResource[],
    indexes: readonly number[],
    responses: readonly {
      errorCode: number;
      errorMessage: string | null;
      resourceType: number;
      resourceName: string;
    }[],
    what: string,
  ): Outcomes<true> {
    const out: Outcomes<true> = new Map();
    for (const i of indexes) {
      const r = responses.find(
        (x) =>
          x.resourceName === resources[i].name && x.resourceType === configResourceType(resources[i].type),
      );
      if (r === undefined) continue;
      out.set(
        i,
        r.errorCode !== ErrorCode.NONE
          ? brokerError(r.errorCode, `${what} of ${resources[i].type} ${resources[i].name}`, {
              message: r.errorMessage,
            })
          : true,
      );
    }
    return out;
  }

  /** Broker resources go to that broker, everything else to any broker; one request per target. */
  #perTarget<R>(
    resources: readonly ConfigResource[],
    what: string,
    timeoutMs: number | undefined,
    send: (target: number | "any", indexes: readonly number[]) => Promise<Outcomes<R>>,
  ): Promise<R[]> {
    return runAdminCall(
      this.#cluster,
      this.#config,
      what,
      resources.length,
      async (pending) => {
        const groups = new Map<number | "any", number[]>();
        for (const i of pending) {
          const target = configTarget(resources[i]);
          const list = groups.get(target) ?? [];
          list.push(i);
          groups.set(target, list);
        }
        const out: Outcomes<R> = new Map();
        await Promise.all(
          [...groups].map(async ([target, indexes]) => {
            try {
              for (const [i, r] of await send(target, indexes)) out.set(i, r);
            } catch (err) {
              if (!(err instanceof KafkaError)) throw err;
              for (const i of indexes) out.set(i, err);
            }
          }),
        );
        return out;
      },
      timeoutMs,
    );
  }

  // ---- cluster -------------------------------------------------------------------------------

  /** Cluster id, controller and brokers (DescribeCluster, or Metadata on brokers without it). */
  async describeCluster(options: AdminCallOptions = {}): Promise<ClusterDescription> {
    this.#checkOpen();
    const [description] = await runAdminCall(
      this.#cluster,
      this.#config,
      "describing the cluster",
      1,
      async () => {
        const connection = await this.#cluster.connection("any");
        const out: Outcomes<ClusterDescription> = new Map();
        if (connection.versions.pick(ApiKey.DescribeCluster) >= 0) {
          const { response } = await this.#cluster.send("any", ApiKey.DescribeCluster, () => ({
            includeClusterAuthorizedOperations: false,
            endpointType: 1,
          }));
          out.set(
            0,
            response.errorCode !== ErrorCode.NONE
              ? brokerError(response.errorCode, "DescribeCluster", { message: response.errorMessage })
              : {
                  clusterId: response.clusterId,
                  controllerId: response.controllerId,
                  brokers: response.brokers
                    .map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }))
                    .sort((a, b) => a.nodeId - b.nodeId),
                },
          );
          return out;
        }
        const metadata = await this.#cluster.refreshMetadata();
        out.set(0, {
          clusterId: metadata.clusterId,
          controllerId: metadata.controllerId,
          brokers: [...metadata.brokers.values()].sort((a, b) => a.nodeId - b.nodeId),
        });
        return out;
      },
      options.timeoutMs,
    );
    return description;
  }

  // ---- offsets and records -------------------------------------------------------------------

  /** Offsets of partitions: earliest, latest, the one with the largest timestamp, or by time. */
  async listOffsets(
    requests: readonly ListOffsetsRequestEntry[],
    options: ListOffsetsOptions = {},
  ): Promise<ListedOffset[]> {
    this.#checkOpen();
    const isolationLevel = options.isolationLevel === "read_committed" ? 1 : 0;
    for (const r of requests) offsetSpecTimestamp(r.spec); // bad specs fail before anything is sent
    const needsMaxTimestamp = requests.some((r) => r.spec === "max-timestamp");
    return runAdminCall(
      this.#cluster,
      this.#config,
      "ListOffsets",
      requests.length,
      async (pending) => {
        const out: Outcomes<ListedOffset> = new Map();
        const groups = await groupByLeader(this.#cluster, requests, pending, out);
        await Promise.all(
          [...groups].map(async ([leader, indexes]) => {
            try {
              const { response } = await this.#cluster.send(
                leader,
                ApiKey.ListOffsets,
                () => ({
                  replicaId: -1,
                  isolationLevel,
                  topics: byTopic(requests, indexes).map(([name, list]) => ({
                    name,
                    partitions: list.map((i) => ({
                      partitionIndex: requests[i].partition,
                      currentLeaderEpoch: -1,
                      timestamp: BigInt(offsetSpecTimestamp(requests[i].spec)),
                      maxNumOffsets: 1,
                    })),
                  })),
                  timeoutMs: this.#config.requestTimeoutMs,
                }),
                { min: needsMaxTimestamp ? 7 : isolationLevel === 1 ? 2 : 1 },
              );
              for (const i of indexes) {
                const { topic, partition } = requests[i];
                const p = response.topics
                  .find((t) => t.name === topic)
                  ?.partitions.find((x) => x.partitionIndex === partition);
                if (p === undefined) continue;
                out.set(
                  i,
                  p.errorCode !== ErrorCode.NONE
                    ? brokerError(p.errorCode, `ListOffsets for ${topic}-${partition}`, { topic, partition })
                    : {
                        topic,
                        partition,
                        offset: Number(p.offset ?? p.oldStyleOffsets?.[0] ?? -1n),
                        timestamp: Number(p.timestamp ?? -1n),
                        leaderEpoch: p.leaderEpoch ?? -1,
                      },
                );
              }
            } catch (err) {
              if (!(err instanceof KafkaError)) throw err;
              for (const i of indexes) out.set(i, err);
            }
          }),
        );
        return out;
      },
      options.timeoutMs,
    );
  }

  /** Deletes the records of partitions before the given offsets (DeleteRecords). */
  async deleteRecords(
    entries: readonly DeleteRecordsEntry[],
    options: AdminCallOptions = {},
  ): Promise<DeletedRecords[]> {
    this.#checkOpen();
    const timeoutMs = options.timeoutMs ?? this.#config.defaultApiTimeoutMs;
    return runAdminCall(
      this.#cluster,
      this.#config,
      "DeleteRecords",
      entries.length,
      async (pending) => {
        const out: Outcomes<DeletedRecords> = new Map();
        const groups = await groupByLeader(this.#cluster, entries, pending, out);
        await Promise.all(
          [...groups].map(async ([leader, indexes]) => {
            try {
              const { response } = await this.#cluster.send(leader, ApiKey.DeleteRecords, () => ({
                topics: byTopic(entries, indexes).map(([name, list]) => ({
                  name,
                  partitions: list.map((i) => ({
                    partitionIndex: entries[i].partition,
                    offset: BigInt(entries[i].beforeOffset),
                  })),
                })),
                timeoutMs,
              }));
              for (const i of indexes) {
                const { topic, partition } = entries[i];
                const p = response.topics
                  .find((t) => t.name === topic)
                  ?.partitions.find((x) => x.partitionIndex === partition);
                if (p === undefined) continue;
                out.set(
                  i,
                  p.errorCode !== ErrorCode.NONE
                    ? brokerError(p.errorCode, `DeleteRecords for ${topic}-${partition}`, {
                        topic,
                        partition,
                      })
                    : { topic, partition, lowWatermark: Number(p.lowWatermark) },
                );
              }
            } catch (err) {
              if (!(err instanceof KafkaError)) throw err;
              for (const i of indexes) out.set(i, err);
            }
          }),
        );
        return out;
      },
      timeoutMs,
    );
  }

  // ---- consumer groups -----------------------------------------------------------------------

  /** Every group of the cluster (asks every broker), optionally only in some states or of some types. */
  async listGroups(options: ListGroupsOptions = {}): Promise<ListedGroup[]> {
    this.#checkOpen();
    return this.#groups.listGroups(options);
  }

  /**
   * Groups' state, assignor and members with their partitions; with `includeLag`, also each
   * partition's committed offset, end offset and lag (kafka-consumer-groups --describe). A group
   * that does not exist is described with state "Dead" and no members.
   */
  async describeGroups(
    groupIds: readonly string[],
    options: DescribeGroupsOptions = {},
  ): Promise<GroupDescription[]> {
    this.#checkOpen();
    return this.#groups.describeGroups(groupIds, options);
  }

  /** Deletes groups with no members, committed offsets included (NON_EMPTY_GROUP otherwise). */
  async deleteGroups(groupIds: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    this.#checkOpen();
    await this.#groups.deleteGroups(groupIds, options);
  }

  /** A group's committed offsets (all, or of `partitions`); partitions without one are left out. */
  async listGroupOffsets(
    groupId: string,
    options: AdminCallOptions & { partitions?: readonly { topic: string; partition: number }[] } = {},
  ): Promise<GroupOffset[]> {
    this.#checkOpen();
    return this.#groups.listGroupOffsets(groupId, options);
  }

  /** Commits the given offsets for a group without active members (NON_EMPTY_GROUP otherwise). */
  async alterGroupOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: number; metadata?: string | null }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    this.#checkOpen();
    await this.#groups.alterGroupOffsets(groupId, offsets, options);
  }

  /**
   * Moves a group's committed offsets for topics or partitions: `to` "earliest", "latest",
   * `{ offset }`, `{ timestamp }` or `{ shiftBy }` (kept within each partition's range). The group
   * must have no members. Resolves with the new offsets; `dryRun` only computes them.
   */
  async resetGroupOffsets(groupId: string, options: ResetGroupOffsetsOptions): Promise<GroupOffset[]> {
    this.#checkOpen();
    return this.#groups.resetGroupOffsets(groupId, options);
  }

  /** Deletes a group's committed offsets of partitions of topics it no longer subscribes to. */
  async deleteGroupOffsets(
    groupId: string,
    partitions: readonly { topic: string; partition: number }[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    this.#checkOpen();
    await this.#groups.deleteGroupOffsets(groupId, partitions, options);
  }

  #checkOpen(): void {
    if (this.#cluster.closed) throw new ClientClosedError("the admin client is closed");
  }
}

/** Indexes grouped by topic name, in first-seen order. */
function byTopic(items: readonly { topic: string }[], indexes: readonly number[]): [string, number[]][] {
  const groups = new Map<string, number[]>();
  for (const i of indexes) {
    const list = groups.get(items[i].topic) ?? [];
    list.push(i);
    groups.set(items[i].topic, list);
  }
  return [...groups];
}
