/** Options every admin call takes. */
export interface AdminCallOptions {
  /** Time budget of the call, retries included (default: default.api.timeout.ms). */
  readonly timeoutMs?: number;
}

export interface NewTopic {
  readonly name: string;
  /** Default: the broker's num.partitions. */
  readonly numPartitions?: number;
  /** Default: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  /** Replicas of each partition (index = partition), instead of numPartitions/replicationFactor. */
  readonly replicaAssignment?: readonly (readonly number[])[];
  /** Topic configs, e.g. `{ "cleanup.policy": "compact" }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface CreatedTopic {
  readonly name: string;
  /** Base64url topic id; the zero id from brokers older than CreateTopics v7. */
  readonly topicId: string;
  /** -1 when the broker does not say (CreateTopics < v5). */
  readonly numPartitions: number;
  readonly replicationFactor: number;
}

export interface PartitionDescription {
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
}

export interface TopicDescription {
  readonly name: string;
  readonly topicId: string;
  readonly isInternal: boolean;
  readonly partitions: readonly PartitionDescription[];
}

export interface NewPartitions {
  readonly topic: string;
  /** The new total number of partitions. */
  readonly count: number;
  /** Replicas of each added partition. */
  readonly assignments?: readonly (readonly number[])[];
}

export type ConfigResourceType = "topic" | "broker" | "broker-logger" | "client-metrics" | "group";

export interface ConfigResource {
  readonly type: ConfigResourceType;
  /** Topic name, broker id ("" for the cluster-wide broker defaults), … */
  readonly name: string;
}

export type ConfigSource =
  | "UNKNOWN"
  | "DYNAMIC_TOPIC_CONFIG"
  | "DYNAMIC_BROKER_CONFIG"
  | "DYNAMIC_DEFAULT_BROKER_CONFIG"
  | "STATIC_BROKER_CONFIG"
  | "DEFAULT_CONFIG"
  | "DYNAMIC_BROKER_LOGGER_CONFIG"
  | "CLIENT_METRICS_CONFIG"
  | "GROUP_CONFIG";

export type ConfigType =
  | "UNKNOWN"
  | "BOOLEAN"
  | "STRING"
  | "INT"
  | "SHORT"
  | "LONG"
  | "DOUBLE"
  | "LIST"
  | "CLASS"
  | "PASSWORD";

export interface ConfigEntry {
  readonly name: string;
  /** null for sensitive values and unset ones. */
  readonly value: string | null;
  readonly source: ConfigSource;
  readonly isDefault: boolean;
  readonly isReadOnly: boolean;
  readonly isSensitive: boolean;
  readonly type: ConfigType;
  readonly synonyms: readonly {
    readonly name: string;
    readonly value: string | null;
    readonly source: ConfigSource;
  }[];
  readonly documentation: string | null;
}

export interface ConfigDescription extends ConfigResource {
  readonly entries: readonly ConfigEntry[];
}

export interface DescribeConfigsOptions extends AdminCallOptions {
  /** Only these keys (default: all). */
  readonly keys?: readonly string[];
  readonly includeSynonyms?: boolean;
  readonly includeDocumentation?: boolean;
}

export interface AlterConfigsResource extends ConfigResource {
  /** The complete new set of dynamic configs (AlterConfigs replaces, it does not merge). */
  readonly configs: Readonly<Record<string, string | null>>;
}

export type AlterConfigOp = "set" | "delete" | "append" | "subtract";

export interface IncrementalAlterConfigsResource extends ConfigResource {
  readonly operations: readonly {
    readonly name: string;
    readonly op: AlterConfigOp;
    readonly value?: string | null;
  }[];
}

export interface ValidateOnlyOptions extends AdminCallOptions {
  /** Check the request without applying it. */
  readonly validateOnly?: boolean;
}

export interface BrokerDescription {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface ClusterDescription {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly BrokerDescription[];
}

/** Which offset to look up: the first, the next to be written, the one with the largest timestamp, or by time. */
export type OffsetSpec = "earliest" | "latest" | "max-timestamp" | { readonly timestamp: number };

export interface ListOffsetsRequestEntry {
  readonly topic: string;
  readonly partition: number;
  readonly spec: OffsetSpec;
}

export interface ListedOffset {
  readonly topic: string;
  readonly partition: number;
  /** -1 when no record matches a timestamp lookup. */
  readonly offset: number;
  readonly timestamp: number;
  readonly leaderEpoch: number;
}

export interface ListOffsetsOptions extends AdminCallOptions {
  readonly isolationLevel?: "read_uncommitted" | "read_committed";
}

export interface DeleteRecordsEntry {
  readonly topic: string;
  readonly partition: number;
  /** Delete records before this offset; -1 means up to the high watermark. */
  readonly beforeOffset: number;
}

export interface DeletedRecords {
  readonly topic: string;
  readonly partition: number;
  /** The partition's new log start offset. */
  readonly lowWatermark: number;
}

/** One group as ListGroups reports it. */
export interface ListedGroup {
  readonly groupId: string;
  /** "consumer" for consumer groups (both protocols), "" for others without a type, … */
  readonly protocolType: string;
  /** Stable, PreparingRebalance, CompletingRebalance, Empty, Dead (classic); Assigning, Reconciling … (consumer); null from brokers older than ListGroups v4. */
  readonly state: string | null;
  /** "classic" or "consumer"; null from brokers older than ListGroups v5. */
  readonly type: string | null;
}

export interface ListGroupsOptions extends AdminCallOptions {
  /** Only groups in these states (ListGroups v4+), e.g. ["Stable", "Empty"]. */
  readonly states?: readonly string[];
  /** Only groups of these types (ListGroups v5+): "classic", "consumer". */
  readonly types?: readonly string[];
}

export interface GroupMemberDescription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** The partitions the member owns. */
  readonly assignment: readonly { readonly topic: string; readonly partition: number }[];
  /** Topics it subscribes to, when the group says (consumer protocol, or a stable classic group). */
  readonly subscribedTopics: readonly string[] | null;
}

/** Where a group is in one partition: its committed offset, the partition's end and the lag between. */
export interface GroupPartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** -1 when the group committed nothing for the partition. */
  readonly committedOffset: number;
  /** The partition's end (the offset the next record will get). */
  readonly logEndOffset: number;
  /** logEndOffset - committedOffset; null without a committed offset. */
  readonly lag: number | null;
  /** The member that owns the partition now, or null. */
  readonly memberId: string | null;
  readonly clientId: string | null;
  readonly clientHost: string | null;
  readonly metadata: string | null;
}

export interface GroupDescription {
  readonly groupId: string;
  /** The group's state; "Dead" for a group that does not exist. */
  readonly state: string;
  /** "classic" (JoinGroup/SyncGroup) or "consumer" (KIP-848). */
  readonly type: "classic" | "consumer";
  readonly protocolType: string;
  /** The assignor in use (classic: the member protocol the group chose). */
  readonly assignor: string;
  /** Node id of the group coordinator. */
  readonly coordinator: number;
  readonly members: readonly GroupMemberDescription[];
  /** Per partition committed offset, end and lag (with `includeLag`), sorted by topic and partition. */
  readonly lag?: readonly GroupPartitionLag[];
}

export interface DescribeGroupsOptions extends AdminCallOptions {
  /** Also look up committed offsets and partition ends, and report the lag per partition. */
  readonly includeLag?: boolean;
}

export interface GroupOffset {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the next record the group will read (-1: none committed). */
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}

/** Where resetGroupOffsets moves a group: like kafka-consumer-groups --reset-offsets. */
export type GroupOffsetReset =
  | "earliest"
  | "latest"
  | { readonly offset: number }
  | { readonly timestamp: number }
  | { readonly shiftBy: number };

export interface ResetGroupOffsetsOptions extends AdminCallOptions {
  /** Topics (all their partitions) or single partitions. */
  readonly partitions: readonly (string | { readonly topic: string; readonly partition: number })[];
  readonly to: GroupOffsetReset;
  /** Compute the new offsets without committing them. */
  readonly dryRun?: boolean;
}
