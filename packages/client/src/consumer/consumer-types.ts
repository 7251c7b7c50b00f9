import type { RecordHeader } from "@weir/protocol";

/** A partition of a topic. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * An offset of a partition, as committed or to commit: the offset of the **next** record to
 * consume (the last processed record's offset + 1), as in every Kafka client.
 */
export interface TopicPartitionOffset extends TopicPartition {
  readonly offset: number;
  /** The leader epoch of the last consumed record, when known (-1 or absent: unknown). */
  readonly leaderEpoch?: number;
  /** Free text stored with a committed offset. */
  readonly metadata?: string | null;
}

export type TimestampTypeName = "CreateTime" | "LogAppendTime";

/**
 * One consumed record. Key, value and header values are Buffers sliced from the fetch response
 * (zero copy) or from the decompressed batch; copy them if you keep many of them for long.
 */
export class ConsumerRecord {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    /** Milliseconds: the producer's CreateTime, or the broker's LogAppendTime for such topics. */
    readonly timestamp: number,
    readonly timestampType: TimestampTypeName,
    readonly key: Buffer | null,
    readonly value: Buffer | null,
    /** In the order they were written; a key may repeat. */
    readonly headers: readonly RecordHeader[],
    /** The partition leader epoch the record was written in (-1: unknown). */
    readonly leaderEpoch: number,
  ) {}
}

/** Records of one partition handed to `eachBatch`, in offset order. */
export interface ConsumerBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumerRecord[];
  /** The partition's high watermark when these records were fetched. */
  readonly highWatermark: number;
  /** Records after this batch up to the high watermark (or last stable offset for read_committed). */
  readonly lag: number;
}

/**
 * Called around rebalances, inside `poll()` / the iterator / `run()`, never while your code is
 * processing records. Each may be async; the consumer waits for it.
 */
export interface RebalanceListener {
  /**
   * Partitions taken away in an orderly rebalance, before anyone else gets them: commit what you
   * processed (the consumer already commits with enable.auto.commit) and release resources.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions this member now owns (only the new ones with cooperative rebalancing). */
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /**
   * Partitions that may already belong to someone else (the member was fenced or timed out):
   * committing for them is no longer possible. Defaults to onPartitionsRevoked, as in Java.
   */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

/** What `run()` calls: one of eachBatch or eachMessage. */
export interface RunOptions {
  /**
   * Records of one partition (up to max.poll.records). They count as consumed once the promise
   * resolves; if it rejects, the partition goes back to the batch's first record and run()
   * rejects with the error.
   */
  eachBatch?: (batch: ConsumerBatch) => void | Promise<void>;
  /** One record at a time; same rules as eachBatch for a record whose handler rejects. */
  eachMessage?: (record: ConsumerRecord) => void | Promise<void>;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Sorts by topic, then partition. */
export function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** The group this consumer belongs to, as of now. */
export interface ConsumerGroupMetadata {
  readonly groupId: string | null;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

/** A committed offset of one partition; `offset` -1 when the group committed none. */
export interface CommittedPartitionOffset extends TopicPartition {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
}
