import type { Uuid } from "@weir/protocol";
import { assertNever } from "../errors.js";
import { MetadataError } from "./metadata-error.js";
import {
  type BrokerRegistration,
  MetadataImage,
  type PartitionRegistration,
  type ProducerIdsImage,
  type TopicImage,
} from "./metadata-image.js";
import type {
  ConfigRecord,
  MetadataRecord,
  PartitionChangeRecord,
  PartitionRecord,
} from "./metadata-records.js";

/**
 * What changed between two images, for the listeners that act on metadata (the log manager
 * creates and deletes partition logs, the coordinators react to their topics, …).
 */
export interface MetadataChanges {
  /** Topics that exist now and did not before (their state in the new image). */
  readonly createdTopics: readonly TopicImage[];
  /** Topics that existed before and are gone (their state in the old image). */
  readonly deletedTopics: readonly TopicImage[];
  /** For topics that existed before and still do: ids of partitions added. */
  readonly addedPartitions: ReadonlyMap<Uuid, readonly number[]>;
  /** For topics that existed before and still do: ids of existing partitions whose registration changed. */
  readonly changedPartitions: ReadonlyMap<Uuid, readonly number[]>;
  /** Names of topics whose config overrides changed (including deleted topics that had some). */
  readonly changedTopicConfigs: ReadonlySet<string>;
  /** BROKER config resources that changed ("" for the cluster default). */
  readonly changedBrokerConfigs: ReadonlySet<string>;
  /** Node ids whose registration changed. */
  readonly changedBrokers: ReadonlySet<number>;
  readonly changedFeatures: ReadonlySet<string>;
  readonly producerIdsChanged: boolean;
}

interface TopicBuilder {
  readonly name: string;
  readonly id: Uuid;
  readonly partitions: PartitionRegistration[];
}

const invalidRecord = (message: string) => new MetadataError("INVALID_RECORD", message);

function freezePartition(p: PartitionRegistration): PartitionRegistration {
  return Object.freeze({
    partitionId: p.partitionId,
    replicas: Object.freeze([...p.replicas]),
    isr: Object.freeze([...p.isr]),
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
  });
}

/**
 * Applies records to an image without copying it per record: each part of the image is copied at
 * most once, on its first change, and `apply()` freezes the result. Kafka's MetadataDelta, in
 * spirit. Replay throws MetadataError("INVALID_RECORD") for a record that does not fit the image
 * (the controller never writes one; it means a bug or a corrupted log).
 */
export class MetadataDelta {
  readonly base: MetadataImage;
  #offset: number;
  #features: Map<string, number> | undefined;
  #brokers: Map<number, BrokerRegistration> | undefined;
  #topicConfigs: Map<string, ReadonlyMap<string, string>> | undefined;
  #brokerConfigs: Map<string, ReadonlyMap<string, string>> | undefined;
  #producerIds: ProducerIdsImage;
  /** Topics created or modified in this delta, by id. */
  #touchedTopics = new Map<Uuid, TopicBuilder>();
  #removedTopicIds = new Set<Uuid>();
  /** Name index changes: a name mapped to its new id, or null when its topic was removed. */
  #names = new Map<string, Uuid | null>();

  constructor(base: MetadataImage) {
    this.base = base;
    this.#offset = base.offset;
    this.#producerIds = base.producerIds;
  }

  /** The offset the delta has reached (the next record is applied at offset + 1). */
  get offset(): number {
    return this.#offset;
  }

  replay(record: MetadataRecord): void {
    switch (record.type) {
      case "RegisterBroker":
        this.#brokers ??= new Map(this.base.brokers);
        this.#brokers.set(
          record.nodeId,
          Object.freeze({
            nodeId: record.nodeId,
            incarnationId: record.incarnationId,
            brokerEpoch: record.brokerEpoch,
            endpoints: Object.freeze(record.endpoints.map((e) => Object.freeze({ ...e }))),
            rack: record.rack,
            fenced: record.fenced,
          }),
        );
        break;
      case "Topic":
        this.#replayTopic(record.name, record.topicId);
        break;
      case "Partition":
        this.#replayPartition(record);
        break;
      case "PartitionChange":
        this.#replayPartitionChange(record);
        break;
      case "RemoveTopic":
        this.#replayRemoveTopic(record.topicId);
        break;
      case "Config":
        this.#replayConfig(record);
        break;
      case "FeatureLevel":
        this.#features ??= new Map(this.base.features);
        if (record.featureLevel === 0) this.#features.delete(record.name);
        else this.#features.set(record.name, record.featureLevel);
        break;
      case "ProducerIds":
        if (this.#producerIds.brokerId !== -1 && record.nextProducerId <= this.#producerIds.nextProducerId) {
          throw invalidRecord(
            `next producer id ${record.nextProducerId} is not greater than ${this.#producerIds.nextProducerId}`,
          );
        }
        this.#producerIds = Object.freeze({
          nextProducerId: record.nextProducerId,
          brokerId: record.brokerId,
          brokerEpoch: record.brokerEpoch,
        });
        break;
      default:
        assertNever(record, "metadata record");
    }
    this.#offset++;
  }

  /** The topic with this id as this delta sees it (builder, base image, or undefined if removed). */
  #topic(id: Uuid): TopicImage | undefined {
    if (this.#removedTopicIds.has(id)) return undefined;
    return this.#touchedTopics.get(id) ?? this.base.topicsById.get(id);
  }

  #topicIdByName(name: string): Uuid | undefined {
    if (this.#names.has(name)) return this.#names.get(name) ?? undefined;
    return this.base.topicsByName.get(name)?.id;
  }

  #builder(id: Uuid, what: string): TopicBuilder {
    const touched = this.#touchedTopics.get(id);
    if (touched !== undefined) return touched;
    const topic = this.#topic(id);
    if (topic === undefined) throw invalidRecord(`${what} for unknown topic id ${id}`);
    const builder = { name: topic.name, id: topic.id, partitions: [...topic.partitions] };
    this.#touchedTopics.set(id, builder);
    return builder;
  }

  #replayTopic(name: string, id: Uuid): void {
    if (this.#topic(id) !== undefined) throw invalidRecord(`topic id ${id} already exists`);
    if (this.#topicIdByName(name) !== undefined) throw invalidRecord(`topic ${name} already exists`);
    this.#removedTopicIds.delete(id);
    this.#touchedTopics.set(id, { name, id, partitions: [] });
    this.#names.set(name, id);
  }

  #replayPartition(record: PartitionRecord): void {
    const builder = this.#builder(record.topicId, `partition ${record.partitionId}`);
    if (record.partitionId < 0 || record.partitionId > builder.partitions.length) {
      throw invalidRecord(
        `partition ${record.partitionId} of ${builder.name} leaves a gap after ${builder.partitions.length} partitions`,
      );
    }
    builder.partitions[record.partitionId] = freezePartition(record);
  }

  #replayPartitionChange(record: PartitionChangeRecord): void {
    const builder = this.#builder(record.topicId, `partition change ${record.partitionId}`);
    const current = builder.partitions[record.partitionId];
    if (current === undefined) {
      throw invalidRecord(`partition change for unknown partition ${builder.name}-${record.partitionId}`);
    }
    const leaderChanged = record.leader !== null && record.leader !== current.leader;
    builder.partitions[record.partitionId] = freezePartition({
      ...current,
      leader: record.leader ?? current.leader,
      isr: record.isr ?? current.isr,
      leaderEpoch: leaderChanged ? current.leaderEpoch + 1 : current.leaderEpoch,
      partitionEpoch: current.partitionEpoch + 1,
    });
  }

  #replayRemoveTopic(id: Uuid): void {
    const topic = this.#topic(id);
    if (topic === undefined) throw invalidRecord(`cannot remove unknown topic id ${id}`);
    this.#touchedTopics.delete(id);
    this.#removedTopicIds.add(id);
    this.#names.set(topic.name, null);
    const configs = this.#topicConfigs ?? this.base.topicConfigs;
    if (configs.has(topic.name)) {
      this.#topicConfigs ??= new Map(this.base.topicConfigs);
      this.#topicConfigs.delete(topic.name);
    }
  }

  #replayConfig(record: ConfigRecord): void {
    let all: Map<string, ReadonlyMap<string, string>>;
    if (record.resourceType === "topic") {
      this.#topicConfigs ??= new Map(this.base.topicConfigs);
      all = this.#topicConfigs;
    } else {
      this.#brokerConfigs ??= new Map(this.base.brokerConfigs);
      all = this.#brokerConfigs;
    }
    const next = new Map(all.get(record.resourceName) ?? []);
    if (record.value === null) next.delete(record.name);
    else next.set(record.name, record.value);
    if (next.size === 0) all.delete(record.resourceName);
    else all.set(record.resourceName, next);
  }

  #topicMaps(): { byId: ReadonlyMap<Uuid, TopicImage>; byName: ReadonlyMap<string, TopicImage> } {
    if (this.#touchedTopics.size === 0 && this.#removedTopicIds.size === 0) {
      return { byId: this.base.topicsById, byName: this.base.topicsByName };
    }
    const byId = new Map(this.base.topicsById);
    const byName = new Map(this.base.topicsByName);
    for (const id of this.#removedTopicIds) {
      const old = this.base.topicsById.get(id);
      byId.delete(id);
      if (old !== undefined && byName.get(old.name)?.id === id) byName.delete(old.name);
    }
    for (const builder of this.#touchedTopics.values()) {
      const topic: TopicImage = Object.freeze({
        name: builder.name,
        id: builder.id,
        partitions: Object.freeze([...builder.partitions]),
      });
      byId.set(topic.id, topic);
      byName.set(topic.name, topic);
    }
    return { byId, byName };
  }

  /** The new image. The delta may keep replaying afterwards; apply() again for a later image. */
  apply(): MetadataImage {
    const { byId, byName } = this.#topicMaps();
    return new MetadataImage({
      offset: this.#offset,
      features: this.#features === undefined ? this.base.features : new Map(this.#features),
      brokers: this.#brokers === undefined ? this.base.brokers : new Map(this.#brokers),
      topicsById: byId,
      topicsByName: byName,
      topicConfigs: this.#topicConfigs ? new Map(this.#topicConfigs) : this.base.topicConfigs,
      brokerConfigs: this.#brokerConfigs ? new Map(this.#brokerConfigs) : this.base.brokerConfigs,
      producerIds: this.#producerIds,
    });
  }
}

function sameMap(
  a: ReadonlyMap<string, string> | undefined,
  b: ReadonlyMap<string, string> | undefined,
): boolean {
  if (a === b) return true;
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) if (b?.get(k) !== v) return false;
  return true;
}

function changedKeys<K, V>(
  before: ReadonlyMap<K, V>,
  after: ReadonlyMap<K, V>,
  same: (x?: V, y?: V) => boolean,
): Set<K> {
  const out = new Set<K>();
  if (before === after) return out;
  for (const [k, v] of before) if (!same(v, after.get(k))) out.add(k);
  for (const [k, v] of after) if (!before.has(k) && !same(undefined, v)) out.add(k);
  return out;
}

/** The changes from `before` to `after` (typically consecutive images). */
export function diffImages(before: MetadataImage, after: MetadataImage): MetadataChanges {
  const createdTopics: TopicImage[] = [];
  const deletedTopics: TopicImage[] = [];
  const addedPartitions = new Map<Uuid, number[]>();
  const changedPartitions = new Map<Uuid, number[]>();
  if (before.topicsById !== after.topicsById) {
    for (const [id, topic] of after.topicsById) {
      const old = before.topicsById.get(id);
      if (old === undefined) {
        createdTopics.push(topic);
        continue;
      }
      if (old === topic) continue;
      const added: number[] = [];
      const changed: number[] = [];
      topic.partitions.forEach((p, i) => {
        const prev = old.partitions[i];
        if (prev === undefined) added.push(i);
        else if (prev !== p) changed.push(i);
      });
      if (added.length > 0) addedPartitions.set(id, added);
      if (changed.length > 0) changedPartitions.set(id, changed);
    }
    for (const [id, topic] of before.topicsById) if (!after.topicsById.has(id)) deletedTopics.push(topic);
  }
  return {
    createdTopics,
    deletedTopics,
    addedPartitions,
    changedPartitions,
    changedTopicConfigs: changedKeys(before.topicConfigs, after.topicConfigs, sameMap),
    changedBrokerConfigs: changedKeys(before.brokerConfigs, after.brokerConfigs, sameMap),
    changedBrokers: changedKeys(before.brokers, after.brokers, (x, y) => x === y),
    changedFeatures: changedKeys(before.features, after.features, (x, y) => x === y),
    producerIdsChanged: before.producerIds !== after.producerIds,
  };
}

/** True when nothing changed. */
export function isEmptyChange(c: MetadataChanges): boolean {
  return (
    c.createdTopics.length === 0 &&
    c.deletedTopics.length === 0 &&
    c.addedPartitions.size === 0 &&
    c.changedPartitions.size === 0 &&
    c.changedTopicConfigs.size === 0 &&
    c.changedBrokerConfigs.size === 0 &&
    c.changedBrokers.size === 0 &&
    c.changedFeatures.size === 0 &&
    !c.producerIdsChanged
  );
}
