import { ErrorCode } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { KafkaError } from "../errors.js";
import type { Outcomes } from "./admin-call.js";
import type { OffsetSpec } from "./admin-types.js";

/**
 * Groups the pending partition requests by their leader, with metadata fetched for their topics
 * on every attempt (leaders move). Partitions that cannot be routed get their error in `out`:
 * an unknown topic or partition is final, a missing leader is retried.
 */
export async function groupByLeader<R>(
  cluster: Cluster,
  items: readonly { topic: string; partition: number }[],
  pending: readonly number[],
  out: Outcomes<R>,
): Promise<Map<number, number[]>> {
  const topics = [...new Set(pending.map((i) => items[i].topic))];
  const { metadata, topicErrors } = await cluster.describeTopics(topics);
  const groups = new Map<number, number[]>();
  for (const i of pending) {
    const { topic, partition } = items[i];
    const info = metadata.topic(topic);
    if (info === undefined) {
      const code = topicErrors.get(topic) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      out.set(i, new KafkaError(code, `topic ${topic} is not available`, { topic }));
      continue;
    }
    const p = info.partitions[partition];
    if (p === undefined) {
      out.set(
        i,
        new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} has no partition ${partition}`, {
          topic,
          partition,
        }),
      );
      continue;
    }
    if (p.leader < 0) {
      out.set(
        i,
        new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `${topic}-${partition} has no leader`, {
          topic,
          partition,
        }),
      );
      continue;
    }
    const list = groups.get(p.leader) ?? [];
    list.push(i);
    groups.set(p.leader, list);
  }
  return groups;
}

/** ListOffsets timestamps: -2 earliest, -1 latest, -3 the record with the largest timestamp (KIP-734). */
export function offsetSpecTimestamp(spec: OffsetSpec): number {
  if (spec === "earliest") return -2;
  if (spec === "latest") return -1;
  if (spec === "max-timestamp") return -3;
  if (
    typeof spec === "object" &&
    spec !== null &&
    Number.isSafeInteger(spec.timestamp) &&
    spec.timestamp >= 0
  ) {
    return spec.timestamp;
  }
  throw new KafkaError(ErrorCode.INVALID_REQUEST, `invalid offset spec ${JSON.stringify(spec)}`, {
    retriable: false,
  });
}

/** Indexes grouped by topic name, in first-seen order. */
export function byTopic(
  items: readonly { topic: string }[],
  indexes: readonly number[],
): [string, number[]][] {
  const groups = new Map<string, number[]>();
  for (const i of indexes) {
    const list = groups.get(items[i].topic) ?? [];
    list.push(i);
    groups.set(items[i].topic, list);
  }
  return [...groups];
}

/** A partition's answer inside a response's per-topic answers. */
export function partitionAnswer<P extends { readonly partitionIndex: number }>(
  topics: readonly { readonly name: string; readonly partitions: readonly P[] }[],
  topic: string,
  partition: number,
): P | undefined {
  return topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition);
}
