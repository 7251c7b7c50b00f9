import { ErrorCode, RECORD_BATCH_OVERHEAD } from "@weir/protocol";
import type { ClusterMetadata } from "../cluster/cluster-metadata.js";
import type { ProducerConfig } from "../config/options-table.js";
import { KafkaError, RecordTooLargeError } from "../errors.js";
import { partitionForKey } from "./murmur2.js";
import { type BatchMemory, type DeliverySink, ProducerBatch } from "./producer-batch.js";
import type { EncodedHeader, ProducerRecord } from "./producer-record.js";
import { measureRecord, type RecordSizes, recordSize } from "./record-encoder.js";

/** One partition's queue of batches and, with idempotence, its sequence numbers. */
export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Batches not sent yet, or put back for a retry; oldest (lowest sequence) first. */
  readonly queue: ProducerBatch[] = [];
  /** Batches sent and unanswered, in the order they were sent. */
  readonly inFlight: ProducerBatch[] = [];
  /** Sequence number of the next batch's first record. */
  nextSequence = 0;
  /** Sequence of the last record the broker acknowledged, -1 before any. */
  lastAckedSequence = -1;
  /**
   * Set when a batch of this partition had to be retried: until the retried batches are through,
   * only one batch is in flight at a time, so the broker sees the sequences in order.
   */
  recovering = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Puts a batch that must be retried back in the queue, ordered by sequence, before new batches. */
  requeue(batch: ProducerBatch): void {
    let at = 0;
    while (
      at < this.queue.length &&
      this.queue[at].baseSequence >= 0 &&
      (batch.baseSequence < 0 || this.queue[at].baseSequence < batch.baseSequence)
    ) {
      at++;
    }
    this.queue.splice(at, 0, batch);
  }
}

/** A topic's partitions as the producer sees them, and its sticky partition for keyless records. */
export class TopicState {
  readonly name: string;
  readonly partitions: PartitionState[] = [];
  /** 0 until metadata for the topic arrives. */
  partitionCount = 0;
  /** Partitions with a leader. */
  available: number[] = [];
  stickyPartition = -1;
  stickyBytes = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Takes the partition count and leaders from a metadata view. */
  update(metadata: ClusterMetadata): void {
    const info = metadata.topic(this.name);
    if (info === undefined) return;
    const count = info.partitions.length;
    for (let p = this.partitions.length; p < count; p++)
      this.partitions.push(new PartitionState(this.name, p));
    this.partitionCount = count;
    this.available = info.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
    if (this.stickyPartition >= count) this.stickyPartition = -1;
  }
}

const probe: RecordSizes = { keyLength: 0, valueLength: 0, headerLengths: [] };

/**
 * The Java client's default batch.size. A new batch's buffer starts at this size and grows toward
 * batch.size as records come; keyless records move to another partition after this many bytes
 * (or batch.size, if smaller), which spreads them as the Java client's defaults do.
 */
const JAVA_BATCH_SIZE = 16_384;

/**
 * Collects records into per-partition batches, within buffer.memory. Records go straight into the
 * open batch of their partition; a batch that is full makes room for a new one and is ready to
 * send at once, others when linger.ms has passed.
 */
export class RecordAccumulator implements BatchMemory {
  readonly topics = new Map<string, TopicState>();
  /** Partitions with batches to send. */
  readonly nonEmpty = new Set<PartitionState>();
  /** Every batch not yet completed (queued or in flight). */
  readonly incomplete = new Set<ProducerBatch>();
  #config: ProducerConfig;
  #memoryUsed = 0;
  /** Set when a batch filled up (ready at once). */
  fullBatches = false;
  /** Earliest linger deadline of a batch created since the last drain. */
  nextLingerAt = Number.POSITIVE_INFINITY;

  constructor(config: ProducerConfig) {
    this.#config = config;
  }

  get memoryUsed(): number {
    return this.#memoryUsed;
  }

  topic(name: string): TopicState {
    let t = this.topics.get(name);
    if (t === undefined) {
      t = new TopicState(name);
      this.topics.set(name, t);
    }
    return t;
  }

  /**
   * The partition of a record: its own, the custom partitioner's, murmur2 of its key, or the
   * topic's sticky partition. Throws KafkaError for a partition outside the topic.
   */
  partitionFor(topic: TopicState, record: ProducerRecord): number {
    const count = topic.partitionCount;
    let partition = record.partition;
    if (partition === undefined && this.#config.partitioner !== null) {
      const chosen = this.#config.partitioner({
        topic: topic.name,
        key: record.key,
        value: record.value,
        partitionCount: count,
        availablePartitions: topic.available,
      });
      if (chosen !== undefined && chosen !== null) partition = chosen;
    }
    if (partition !== undefined) {
      if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
        throw new KafkaError(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `partition ${partition} is not in the range [0, ${count}) of topic ${topic.name}`,
          {
            retriable: false,
            topic: topic.name,
            partition,
          },
        );
      }
      return partition;
    }
    const key = record.key;
    if (key != null && !this.#config.partitionerIgnoreKeys) return partitionForKey(key, count);
    return this.#stickyPartition(topic);
  }

  #stickyPartition(topic: TopicState): number {
    if (topic.stickyPartition < 0 || topic.stickyBytes >= Math.min(this.#config.batchSize, JAVA_BATCH_SIZE)) {
      const choices = topic.available.length > 0 ? topic.available : [...Array(topic.partitionCount).keys()];
      let next = choices[Math.floor(Math.random() * choices.length)];
      if (next === topic.stickyPartition && choices.length > 1) {
        next =
          choices[
            (choices.indexOf(next) + 1 + Math.floor(Math.random() * (choices.length - 1))) % choices.length
          ];
      }
      topic.stickyPartition = next;
      topic.stickyBytes = 0;
    }
    return topic.stickyPartition;
  }

  /**
   * Checks a record against max.request.size and buffer.memory before it is queued, so a record
   * that could never be sent fails at once with RecordTooLargeError.
   */
  checkSize(record: ProducerRecord, headers: EncodedHeader[] | null): void {
    const size =
      RECORD_BATCH_OVERHEAD + recordSize(measureRecord(record.key, record.value, headers, probe), 0, 0);
    if (size > this.#config.maxRequestSize) {
      throw new RecordTooLargeError(
        `the record is ${size} bytes when serialized, more than max.request.size (${this.#config.maxRequestSize})`,
        { topic: record.topic },
      );
    }
  }

  /**
   * Appends a record to its partition's open batch, opening a new batch when needed. Returns false
   * (nothing appended) when a new batch does not fit in buffer.memory.
   */
  append(
    topic: TopicState,
    partition: number,
    record: ProducerRecord,
    timestamp: number,
    headers: EncodedHeader[] | null,
    sink: DeliverySink,
    sinkIndex: number,
    now: number,
  ): boolean {
    const state = topic.partitions[partition];
    const queue = state.queue;
    const open = queue.length > 0 ? queue[queue.length - 1] : undefined;
    let added = 0;
    if (open !== undefined && open.sealed === null && !open.full) {
      added = open.tryAppend(record.key, record.value, headers, timestamp, sink, sinkIndex);
      if (added === 0) this.fullBatches = true;
    }
    if (added === 0) {
      const size =
        RECORD_BATCH_OVERHEAD + recordSize(measureRecord(record.key, record.value, headers, probe), 0, 0);
      const batchSize = this.#config.batchSize;
      const capacity = Math.max(Math.min(batchSize, JAVA_BATCH_SIZE), size);
      if (!this.reserve(capacity)) return false;
      const batch = new ProducerBatch(topic.name, partition, capacity, now, Math.max(batchSize, size), this);
      added = batch.tryAppend(record.key, record.value, headers, timestamp, sink, sinkIndex);
      queue.push(batch);
      this.incomplete.add(batch);
      this.nonEmpty.add(state);
      const lingerAt = now + this.#config.lingerMs;
      if (lingerAt < this.nextLingerAt) this.nextLingerAt = lingerAt;
    }
    if (partition === topic.stickyPartition) topic.stickyBytes += added;
    return true;
  }

  /**
   * Kafka's splitAndReenqueue: replaces a batch the broker refused as too large by smaller ones
   * (see ProducerBatch.split), put back at the front of its partition's queue, in order, as if
   * never tried. Returns the parts.
   */
  splitAndReenqueue(batch: ProducerBatch, maxBytes: number): ProducerBatch[] {
    const parts = batch.split(maxBytes);
    this.release(batch);
    const state = this.topic(batch.topic).partitions[batch.partition];
    for (let i = parts.length - 1; i >= 0; i--) {
      this.#memoryUsed += parts[i].reserved;
      this.incomplete.add(parts[i]);
      state.requeue(parts[i]);
    }
    this.nonEmpty.add(state);
    batch.handOver(parts);
    return parts;
  }

  /** Takes `bytes` of buffer.memory for a batch; false when they are not free. */
  reserve(bytes: number): boolean {
    if (this.#memoryUsed + bytes > this.#config.bufferMemory) return false;
    this.#memoryUsed += bytes;
    return true;
  }

  /** Gives a completed batch's memory back. */
  release(batch: ProducerBatch): void {
    if (!this.incomplete.delete(batch)) return;
    this.#memoryUsed -= batch.reserved;
  }
}
