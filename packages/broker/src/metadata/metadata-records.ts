import type { Uuid } from "@weir/protocol";
import type { Endpoint } from "../config/listeners.js";

/**
 * The records of the metadata log: every change to cluster metadata is one of these, written by
 * the controller and applied by `MetadataImage` replay. They mirror KRaft's metadata records
 * (RegisterBrokerRecord, TopicRecord, PartitionRecord, …); the names of fields follow Kafka's.
 * Records are plain immutable data, serialisable by `metadata-record-codec.ts`.
 */

/** A broker joined (or re-joined after a restart) the cluster. */
export interface RegisterBrokerRecord {
  readonly type: "RegisterBroker";
  readonly nodeId: number;
  /** Random per process start: tells a restart apart from a duplicate node id. */
  readonly incarnationId: Uuid;
  /** The offset of this record in the metadata log (Kafka's broker epoch). */
  readonly brokerEpoch: bigint;
  /** The advertised listeners. */
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

/** A topic was created. Its partitions follow as PartitionRecords in the same batch. */
export interface TopicRecord {
  readonly type: "Topic";
  readonly name: string;
  readonly topicId: Uuid;
}

/** A partition was created (or its registration replaced wholesale). */
export interface PartitionRecord {
  readonly type: "Partition";
  readonly topicId: Uuid;
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** The leader's node id, or -1 when the partition has no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/**
 * A partition's leader or ISR changed. Fields left null do not change. Replay bumps the
 * partition epoch on every change and the leader epoch when the leader changes.
 */
export interface PartitionChangeRecord {
  readonly type: "PartitionChange";
  readonly topicId: Uuid;
  readonly partitionId: number;
  readonly leader: number | null;
  readonly isr: readonly number[] | null;
}

/** A topic was deleted, with its partitions and its config overrides. */
export interface RemoveTopicRecord {
  readonly type: "RemoveTopic";
  readonly topicId: Uuid;
}

export type ConfigResourceType = "topic" | "broker";

/**
 * One config key of one resource was set (value) or removed (null). Broker resources are named by
 * node id, or "" for the cluster-wide default; topic resources by topic name.
 */
export interface ConfigRecord {
  readonly type: "Config";
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly name: string;
  readonly value: string | null;
}

/** A feature's finalized level (e.g. metadata.version); level 0 removes the feature. */
export interface FeatureLevelRecord {
  readonly type: "FeatureLevel";
  readonly name: string;
  readonly featureLevel: number;
}

/** A block of producer ids was handed to a broker; the next block starts at nextProducerId. */
export interface ProducerIdsRecord {
  readonly type: "ProducerIds";
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
  readonly nextProducerId: bigint;
}

export type MetadataRecord =
  | RegisterBrokerRecord
  | TopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RemoveTopicRecord
  | ConfigRecord
  | FeatureLevelRecord
  | ProducerIdsRecord;

export type MetadataRecordType = MetadataRecord["type"];

/** A record with the metadata log offset it was written at. */
export interface LoggedRecord {
  readonly offset: number;
  readonly record: MetadataRecord;
}
