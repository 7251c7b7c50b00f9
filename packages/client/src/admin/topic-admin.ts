import { ApiKey, ErrorCode, ZERO_UUID } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { partitionInfo } from "../cluster/cluster-metadata.js";
import type { AdminConfig } from "../config/options-table.js";
import { brokerError } from "../errors.js";
import { outcomesOf, runAdminCall, runAdminCallOnce } from "./admin-call.js";
import type {
  AdminCallOptions,
  ClusterDescription,
  CreatedTopic,
  NewPartitions,
  NewTopic,
  TopicDescription,
  ValidateOnlyOptions,
} from "./admin-types.js";

/**
 * Topics, partitions and the cluster itself: CreateTopics, DeleteTopics and CreatePartitions go to
 * the controller; listing and describing read Metadata (or DescribeCluster) from any broker.
 */
export class TopicAdmin {
  readonly #cluster: Cluster;
  readonly #config: AdminConfig;

  constructor(cluster: Cluster, config: AdminConfig) {
    this.#cluster = cluster;
    this.#config = config;
  }

  createTopics(topics: readonly NewTopic[], options: ValidateOnlyOptions): Promise<CreatedTopic[]> {
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
        return outcomesOf(
          pending,
          (i) => byName.get(topics[i].name),
          (_, r) => ({ what: `creating topic ${r.name}`, topic: r.name }),
          (r) => ({
            name: r.name,
            topicId: r.topicId ?? ZERO_UUID,
            numPartitions: r.numPartitions ?? -1,
            replicationFactor: r.replicationFactor ?? -1,
          }),
        );
      },
      timeoutMs,
    );
  }

  async deleteTopics(names: readonly string[], options: AdminCallOptions): Promise<void> {
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
        return outcomesOf(
          pending,
          (i) => byName.get(names[i]),
          (i) => ({ what: `deleting topic ${names[i]}`, topic: names[i] }),
          () => true,
        );
      },
      timeoutMs,
    );
    for (const name of names) this.#cluster.removeInterest(name);
  }

  listTopics(options: AdminCallOptions & { includeInternal?: boolean }): Promise<string[]> {
    return runAdminCallOnce(
      this.#cluster,
      this.#config,
      "listing topics",
      async () => {
        const { response } = await this.#cluster.describeTopics(null);
        return response.topics
          .filter((t) => t.errorCode === ErrorCode.NONE && t.name !== null)
          .filter((t) => options.includeInternal === true || !t.isInternal)
          .map((t) => t.name as string)
          .sort();
      },
      options.timeoutMs,
    );
  }

  describeTopics(names: readonly string[], options: AdminCallOptions): Promise<TopicDescription[]> {
    return runAdminCall(
      this.#cluster,
      this.#config,
      "describing topics",
      names.length,
      async (pending) => {
        const { response } = await this.#cluster.describeTopics(pending.map((i) => names[i]));
        const byName = new Map(response.topics.map((t) => [t.name, t]));
        return outcomesOf(
          pending,
          (i) => byName.get(names[i]),
          (i) => ({ what: `describing topic ${names[i]}`, topic: names[i] }),
          (t, i) => ({
            name: names[i],
            topicId: t.topicId ?? ZERO_UUID,
            isInternal: t.isInternal ?? false,
            partitions: t.partitions
              .map((p) => {
                const { errorCode: _, ...description } = partitionInfo(p);
                return description;
              })
              .sort((a, b) => a.partition - b.partition),
          }),
        );
      },
      options.timeoutMs,
    );
  }

  async createPartitions(updates: readonly NewPartitions[], options: ValidateOnlyOptions): Promise<void> {
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
        return outcomesOf(
          pending,
          (i) => byName.get(updates[i].topic),
          (_, r) => ({ what: `adding partitions to ${r.name}`, topic: r.name }),
          () => true,
        );
      },
      timeoutMs,
    );
  }

  /** DescribeCluster, or Metadata on brokers without it. */
  describeCluster(options: AdminCallOptions): Promise<ClusterDescription> {
    return runAdminCallOnce(
      this.#cluster,
      this.#config,
      "describing the cluster",
      async () => {
        const connection = await this.#cluster.connection("any");
        if (connection.versions.pick(ApiKey.DescribeCluster) >= 0) {
          const { response } = await this.#cluster.send("any", ApiKey.DescribeCluster, () => ({
            includeClusterAuthorizedOperations: false,
            endpointType: 1,
          }));
          if (response.errorCode !== ErrorCode.NONE) {
            return brokerError(response.errorCode, "DescribeCluster", { message: response.errorMessage });
          }
          return {
            clusterId: response.clusterId,
            controllerId: response.controllerId,
            brokers: response.brokers
              .map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }))
              .sort((a, b) => a.nodeId - b.nodeId),
          };
        }
        const metadata = await this.#cluster.refreshMetadata();
        return {
          clusterId: metadata.clusterId,
          controllerId: metadata.controllerId,
          brokers: [...metadata.brokers.values()].sort((a, b) => a.nodeId - b.nodeId),
        };
      },
      options.timeoutMs,
    );
  }
}
