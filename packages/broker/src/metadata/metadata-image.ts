import type { Uuid } from "@weir/protocol";
import type { Endpoint } from "../config/listeners.js";
import { MetadataDelta } from "./metadata-delta.js";
import type { MetadataRecord } from "./metadata-records.js";

/**
 * The cluster metadata at one offset of the metadata log: brokers, topics with their partitions,
 * config overrides, finalized features and the producer-id allocator. Immutable: the only way to
 * a newer image is replaying records (`replay`, or a `MetadataDelta` for a batch), which returns
 * a new image sharing every unchanged part with the old one. Request handlers read the current
 * image; only the controller writes records.
 */

/** One partition's replica assignment and leadership (Kafka's PartitionRegistration). */
export interface PartitionRegistration {
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Node id of the leader, -1 for none. */
  readonly leader: number;
  readonly leaderEpoch: number;
  /** Bumped on every change of the registration (Kafka's partition epoch). */
  readonly partitionEpoch: number;
}

export interface TopicImage {
  readonly name: string;
  readonly id: Uuid;
  /** Indexed by partition id: partitions are always 0..n-1. */
  readonly partitions: readonly PartitionRegistration[];
}

export interface BrokerRegistration {
  readonly nodeId: number;
  readonly incarnationId: Uuid;
  readonly brokerEpoch: bigint;
  readonly endpoints: readonly Endpoint[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

/** The producer-id allocator: the next block handed out starts at `nextProducerId`. */
export interface ProducerIdsImage {
  readonly nextProducerId: bigint;
  /** The broker that received the last block, -1 if none was handed out yet. */
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

export interface MetadataImageParts {
  readonly offset: number;
  readonly features: ReadonlyMap<string, number>;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topicsById: ReadonlyMap<Uuid, TopicImage>;
  readonly topicsByName: ReadonlyMap<string, TopicImage>;
  readonly topicConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly brokerConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly producerIds: ProducerIdsImage;
}

const NO_CONFIGS: ReadonlyMap<string, string> = new Map();

export class MetadataImage implements MetadataImageParts {
  /** The image before any record: offset -1, nothing registered. */
  static readonly EMPTY: MetadataImage = new MetadataImage({
    offset: -1,
    features: new Map(),
    brokers: new Map(),
    topicsById: new Map(),
    topicsByName: new Map(),
    topicConfigs: new Map(),
    brokerConfigs: new Map(),
    producerIds: Object.freeze({ nextProducerId: 0n, brokerId: -1, brokerEpoch: -1n }),
  });

  /** Offset of the last record applied; -1 for the empty image. */
  readonly offset: number;
  readonly features: ReadonlyMap<string, number>;
  readonly brokers: ReadonlyMap<number, BrokerRegistration>;
  readonly topicsById: ReadonlyMap<Uuid, TopicImage>;
  readonly topicsByName: ReadonlyMap<string, TopicImage>;
  /** Config overrides by topic name. */
  readonly topicConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Dynamic broker configs by resource name: "" is the cluster default, "<id>" one broker. */
  readonly brokerConfigs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly producerIds: ProducerIdsImage;

  /** Built by MetadataDelta; not for direct use. */
  constructor(parts: MetadataImageParts) {
    this.offset = parts.offset;
    this.features = parts.features;
    this.brokers = parts.brokers;
    this.topicsById = parts.topicsById;
    this.topicsByName = parts.topicsByName;
    this.topicConfigs = parts.topicConfigs;
    this.brokerConfigs = parts.brokerConfigs;
    this.producerIds = parts.producerIds;
    Object.freeze(this);
  }

  topic(name: string): TopicImage | undefined {
    return this.topicsByName.get(name);
  }

  topicById(id: Uuid): TopicImage | undefined {
    return this.topicsById.get(id);
  }

  partition(topicId: Uuid, partitionId: number): PartitionRegistration | undefined {
    return this.topicsById.get(topicId)?.partitions[partitionId];
  }

  broker(nodeId: number): BrokerRegistration | undefined {
    return this.brokers.get(nodeId);
  }

  /** Registered brokers that are not fenced, by node id. */
  liveBrokers(): BrokerRegistration[] {
    return [...this.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.nodeId - b.nodeId);
  }

  /** A topic's config overrides (empty when it has none). */
  topicConfig(topicName: string): ReadonlyMap<string, string> {
    return this.topicConfigs.get(topicName) ?? NO_CONFIGS;
  }

  /** Dynamic configs of a BROKER resource: "" for the cluster default, else a node id. */
  brokerConfig(resourceName: string): ReadonlyMap<string, string> {
    return this.brokerConfigs.get(resourceName) ?? NO_CONFIGS;
  }

  /** A finalized feature's level, 0 when the feature is not set. */
  featureLevel(name: string): number {
    return this.features.get(name) ?? 0;
  }

  /** The image after one more record (at offset `this.offset + 1`). */
  replay(record: MetadataRecord): MetadataImage {
    const delta = new MetadataDelta(this);
    delta.replay(record);
    return delta.apply();
  }

  /** The image after a sequence of records at consecutive offsets. */
  replayAll(records: Iterable<MetadataRecord>): MetadataImage {
    const delta = new MetadataDelta(this);
    for (const record of records) delta.replay(record);
    return delta.apply();
  }
}
