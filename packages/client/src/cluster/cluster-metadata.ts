import { ErrorCode, type MetadataResponse } from "@weir/protocol";

export interface BrokerInfo {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionInfo {
  readonly partition: number;
  /** Node id of the leader, -1 when there is none. */
  readonly leader: number;
  /** -1 when the broker does not report epochs (Metadata < v7). */
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  readonly errorCode: number;
}

export interface TopicInfo {
  readonly name: string;
  /** Base64url topic id (Metadata v10+), or the zero uuid. */
  readonly topicId: string;
  readonly isInternal: boolean;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionInfo[];
}

/**
 * One immutable view of the cluster, as the last Metadata responses described it. A refresh
 * builds a new one; holders of an old one keep a consistent picture.
 */
export class ClusterMetadata {
  constructor(
    readonly clusterId: string | null,
    readonly controllerId: number,
    readonly brokers: ReadonlyMap<number, BrokerInfo>,
    readonly topics: ReadonlyMap<string, TopicInfo>,
    /** Epoch milliseconds of the response this view came from (0: never refreshed). */
    readonly updatedAt: number,
  ) {}

  static readonly EMPTY = new ClusterMetadata(null, -1, new Map(), new Map(), 0);

  topic(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  /** The leader of a partition, or -1 when unknown or leaderless. */
  leaderOf(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leader ?? -1;
  }

  /**
   * This view updated with a Metadata response. `requested` is the topic list of the request
   * (null: all topics, so topics absent from the response are gone). Topics with an error are
   * dropped, their error codes returned in `topicErrors`. A partition whose leader epoch went
   * backwards (a broker with older metadata answered) keeps what we knew.
   */
  merge(
    response: MetadataResponse,
    requested: readonly string[] | null,
    now: number,
  ): { metadata: ClusterMetadata; topicErrors: Map<string, number> } {
    const brokers = new Map<number, BrokerInfo>();
    for (const b of response.brokers) {
      brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null });
    }
    const topics = new Map(requested === null ? [] : this.topics);
    const topicErrors = new Map<string, number>();
    for (const t of response.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== ErrorCode.NONE) {
        topicErrors.set(t.name, t.errorCode);
        topics.delete(t.name);
        continue;
      }
      const previous = this.topics.get(t.name);
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        const fresh = partitionInfo(p);
        const old = previous?.partitions[p.partitionIndex];
        partitions[p.partitionIndex] =
          old !== undefined && fresh.leaderEpoch >= 0 && old.leaderEpoch > fresh.leaderEpoch ? old : fresh;
      }
      // A response with a hole in the partition numbers is not usable for that topic.
      if (partitions.length !== t.partitions.length || partitions.includes(undefined as never)) {
        topicErrors.set(t.name, ErrorCode.LEADER_NOT_AVAILABLE);
        continue;
      }
      topics.set(t.name, {
        name: t.name,
        topicId: t.topicId ?? "AAAAAAAAAAAAAAAAAAAAAA",
        isInternal: t.isInternal ?? false,
        partitions,
      });
    }
    const metadata = new ClusterMetadata(
      response.clusterId ?? this.clusterId,
      response.controllerId ?? -1,
      brokers,
      topics,
      now,
    );
    return { metadata, topicErrors };
  }

  /** A copy with one partition's leader replaced (a produce response named the new leader, KIP-951). */
  withLeader(topic: string, partition: number, leader: number, leaderEpoch: number): ClusterMetadata {
    const t = this.topics.get(topic);
    const old = t?.partitions[partition];
    if (t === undefined || old === undefined || old.leaderEpoch >= leaderEpoch) return this;
    const partitions = [...t.partitions];
    partitions[partition] = { ...old, leader, leaderEpoch };
    const topics = new Map(this.topics);
    topics.set(topic, { ...t, partitions });
    return new ClusterMetadata(this.clusterId, this.controllerId, this.brokers, topics, this.updatedAt);
  }
}

/** A partition as a Metadata response describes it. */
export function partitionInfo(p: MetadataResponse["topics"][number]["partitions"][number]): PartitionInfo {
  return {
    partition: p.partitionIndex,
    leader: p.leaderId,
    leaderEpoch: p.leaderEpoch ?? -1,
    replicas: p.replicaNodes,
    isr: p.isrNodes,
    offlineReplicas: p.offlineReplicas ?? [],
    errorCode: p.errorCode,
  };
}
