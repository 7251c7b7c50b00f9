import {
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  ProtocolError,
  Reader,
  Writer,
} from "@weir/protocol";
import type { TopicPartition } from "../consumer-types.js";
import type { MemberSubscription } from "./assignors.js";

/*
 * The "consumer" protocol type of classic groups: what members put in JoinGroup's metadata
 * (a subscription) and what the leader hands out through SyncGroup (an assignment). Both are an
 * int16 version followed by the versioned message; a newer version than we know is read as the
 * newest we know (fields are only ever appended), as Kafka does.
 */

export const SUBSCRIPTION_VERSION = 3;
export const ASSIGNMENT_VERSION = 3;

export interface Subscription {
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  readonly ownedPartitions: readonly TopicPartition[];
  readonly generationId: number;
  readonly rackId: string | null;
}

export interface Assignment {
  readonly partitions: readonly TopicPartition[];
  readonly userData: Buffer | null;
}

function group(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list.sort((a, b) => a - b) }));
}

function flatten(topics: readonly { topic: string; partitions: readonly number[] }[]): TopicPartition[] {
  return topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

export function encodeSubscription(s: Subscription, version = SUBSCRIPTION_VERSION): Buffer {
  const w = new Writer(64);
  w.int16(version);
  encodeConsumerProtocolSubscription(w, version, {
    topics: [...s.topics],
    userData: s.userData,
    ownedPartitions: group(s.ownedPartitions),
    generationId: s.generationId,
    rackId: s.rackId,
  });
  return w.toBuffer();
}

export function decodeSubscription(bytes: Buffer): Subscription {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0) throw new ProtocolError(`subscription version ${version}`);
  const s = decodeConsumerProtocolSubscription(r, Math.min(version, SUBSCRIPTION_VERSION));
  return {
    topics: s.topics,
    userData: s.userData,
    ownedPartitions: flatten(s.ownedPartitions ?? []),
    generationId: s.generationId ?? -1,
    rackId: s.rackId ?? null,
  };
}

export function memberSubscription(
  memberId: string,
  groupInstanceId: string | null,
  metadata: Buffer,
): MemberSubscription {
  return { memberId, groupInstanceId, ...decodeSubscription(metadata) };
}

export function encodeAssignment(a: Assignment, version = ASSIGNMENT_VERSION): Buffer {
  const w = new Writer(64);
  w.int16(version);
  encodeConsumerProtocolAssignment(w, version, {
    assignedPartitions: group(a.partitions),
    userData: a.userData,
  });
  return w.toBuffer();
}

/** An empty buffer (a member that got nothing, as some brokers send it) is an empty assignment. */
export function decodeAssignment(bytes: Buffer): Assignment {
  if (bytes.length === 0) return { partitions: [], userData: null };
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0) throw new ProtocolError(`assignment version ${version}`);
  const a = decodeConsumerProtocolAssignment(r, Math.min(version, ASSIGNMENT_VERSION));
  return { partitions: flatten(a.assignedPartitions), userData: a.userData };
}
