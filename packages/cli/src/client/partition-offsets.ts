import type { Admin, TopicPartition } from "@weir/client";

/** Offsets of partitions by `topic:partition`. */
export type OffsetsByPartition = ReadonlyMap<string, number>;

export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/** The earliest or latest offset of each partition, in one admin call. */
export async function partitionOffsets(
  admin: Admin,
  partitions: readonly TopicPartition[],
  spec: "earliest" | "latest",
  timeoutMs?: number,
): Promise<OffsetsByPartition> {
  if (partitions.length === 0) return new Map();
  const listed = await admin.listOffsets(
    partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, spec })),
    timeoutMs === undefined ? {} : { timeoutMs },
  );
  return new Map(listed.map((o) => [partitionKey(o), o.offset]));
}
