import type { Logger } from "pino";
import type { BrokerConfig } from "../config/broker-config.js";
import { topicLogConfig } from "../metadata/config-layers.js";
import type { MetadataChanges } from "../metadata/metadata-delta.js";
import type { MetadataImage, TopicImage } from "../metadata/metadata-image.js";
import type { MetadataPublisher } from "../metadata/metadata-publisher.js";
import type { ReplicaManager } from "../replication/replica-manager.js";
import { forEachLimited, LOG_IO_CONCURRENCY } from "../storage/bounded-concurrency.js";
import { toLogConfig } from "../storage/log-config.js";
import { toProduceConfig } from "./topic-log-config.js";

/**
 * Keeps the partitions this broker hosts in line with the metadata image: logs are opened for
 * partitions it leads, deleted with their topics, and reconfigured when topic configs change.
 * Work for one image is chained after the previous image's, so a delete never overtakes the
 * create it follows. `settled()` resolves once everything published so far is applied.
 */
export class PartitionPublisher implements MetadataPublisher {
  readonly name = "partitions";
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly nodeId: number,
    readonly config: BrokerConfig,
    readonly replicaManager: ReplicaManager,
    readonly logger: Logger,
  ) {}

  onImage(image: MetadataImage, changes: MetadataChanges): void {
    this.#chain = this.#chain
      .then(() => this.#apply(image, changes))
      .catch((err: unknown) => this.logger.error({ err }, "could not apply metadata changes to partitions"));
  }

  settled(): Promise<void> {
    return this.#chain;
  }

  async #apply(image: MetadataImage, changes: MetadataChanges): Promise<void> {
    for (const topic of changes.deletedTopics) {
      for (const p of topic.partitions) await this.replicaManager.deletePartition(topic.name, p.partitionId);
    }
    const touched = new Map<string, TopicImage>();
    for (const topic of changes.createdTopics) touched.set(topic.name, topic);
    for (const id of [...changes.addedPartitions.keys(), ...changes.changedPartitions.keys()]) {
      const topic = image.topicById(id);
      if (topic !== undefined) touched.set(topic.name, topic);
    }
    for (const name of changes.changedTopicConfigs) {
      const topic = image.topic(name);
      if (topic !== undefined) touched.set(name, topic);
    }
    if (changes.changedBrokerConfigs.size > 0)
      for (const topic of image.topicsByName.values()) touched.set(topic.name, topic);
    await Promise.all([...touched.values()].map((topic) => this.#applyTopic(image, topic)));
  }

  async #applyTopic(image: MetadataImage, topic: TopicImage): Promise<void> {
    const values = topicLogConfig(image, this.config, topic.name);
    const logConfig = toLogConfig(values);
    const produceConfig = toProduceConfig(values);
    // Partitions open a few dozen at a time: each creation waits on fsyncs, so one after the
    // other a topic of 1,000 partitions took seconds, and all at once would exhaust descriptors.
    const led = topic.partitions.filter((p) => p.leader === this.nodeId);
    await forEachLimited(led, LOG_IO_CONCURRENCY, async (p) => {
      try {
        await this.replicaManager.becomeLeader({
          topic: topic.name,
          topicId: topic.id,
          partition: p.partitionId,
          leaderEpoch: p.leaderEpoch,
          logConfig,
          produceConfig,
        });
      } catch (err) {
        // One partition that cannot open (its log dir failed) must not keep the others closed.
        this.logger.error({ err, topic: topic.name, partition: p.partitionId }, "could not open partition");
      }
    });
  }
}
