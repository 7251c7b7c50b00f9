import { IllegalArgumentError } from "./consumer-errors.js";
import type { TopicPartition, TopicPartitionOffset } from "./consumer-types.js";

/** Throws IllegalArgumentError unless `tp` names a topic and a partition number. */
export function checkPartition(tp: TopicPartition): void {
  if (
    tp === null ||
    typeof tp !== "object" ||
    typeof tp.topic !== "string" ||
    tp.topic === "" ||
    !Number.isInteger(tp.partition) ||
    tp.partition < 0
  ) {
    throw new IllegalArgumentError(`not a topic partition: ${JSON.stringify(tp)}`);
  }
}

/** Throws IllegalArgumentError unless `o` is a topic partition with a non-negative offset. */
export function checkOffset(o: TopicPartitionOffset): void {
  checkPartition(o);
  if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
    throw new IllegalArgumentError(
      `offset of ${o.topic}-${o.partition} must be a non-negative integer, got ${o.offset}`,
    );
  }
}
