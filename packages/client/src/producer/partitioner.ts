import type { MessageKey, MessageValue } from "./producer-record.js";

/** What a custom partitioner is given. */
export interface PartitionerContext {
  readonly topic: string;
  /** The key as it was passed to send(). */
  readonly key: MessageKey;
  readonly value: MessageValue;
  readonly partitionCount: number;
  /** Partitions that currently have a leader. */
  readonly availablePartitions: readonly number[];
}

/**
 * Chooses the partition of a record sent without one. Returning undefined (or null) leaves the
 * choice to the built-in partitioner: murmur2 of the key like Kafka's Java client, sticky
 * partitioning for records without a key.
 */
export type Partitioner = (context: PartitionerContext) => number | undefined | null;
