import type { Uuid } from "@weir/protocol";

/**
 * What the fetch session layer reads from a fetch request. The shapes follow the FetchRequest
 * message (field names as the generated codecs spell them), so a decoded request can be passed as
 * it is; int64 fields may be bigint (as decoded) or number.
 */

/** An int64 from the wire (bigint) or already converted (number). Offsets fit in a double. */
export type Int64Like = number | bigint;

export interface FetchSessionRequestPartition {
  readonly partition: number;
  readonly fetchOffset: Int64Like;
  /** The follower's log start offset (v5+); -1 when absent. */
  readonly logStartOffset?: Int64Like;
  readonly partitionMaxBytes: number;
  /** v9+; -1 when absent. */
  readonly currentLeaderEpoch?: number;
  /** v12+; -1 when absent. */
  readonly lastFetchedEpoch?: number;
}

export interface FetchSessionRequestTopic {
  /** The topic name (v0–12); ignored when the request uses topic ids. */
  readonly topic?: string | null;
  /** The topic id (v13+); ignored when the request uses topic names. */
  readonly topicId?: Uuid;
  readonly partitions: Iterable<FetchSessionRequestPartition>;
}

export interface FetchSessionForgottenTopic {
  readonly topic?: string | null;
  readonly topicId?: Uuid;
  readonly partitions: Iterable<number>;
}

export interface FetchSessionRequest {
  /** v7+; 0 (no session) when absent. */
  readonly sessionId: number;
  /** v7+; -1 (FINAL, sessionless) when absent. */
  readonly sessionEpoch: number;
  readonly topics: Iterable<FetchSessionRequestTopic>;
  /** v7+: partitions to remove from the session (meaningful in incremental requests only). */
  readonly forgottenTopicsData?: Iterable<FetchSessionForgottenTopic>;
}

/** The broker's current topic id → name mapping; undefined for an id it does not know. */
export type TopicNameResolver = (topicId: Uuid) => string | undefined;

/** What the fetch handler knows about a request beyond its body. */
export interface FetchContextOptions {
  /** True for request versions 13+, which name topics by id (KIP-516). */
  readonly usesTopicIds: boolean;
  /** True when a follower replica sends the request: its session is privileged in the cache. */
  readonly isFromFollower: boolean;
  /** Resolves topic ids to names; only called when `usesTopicIds`. */
  readonly topicName: TopicNameResolver;
}

export function int64ToNumber(value: Int64Like | undefined, absent: number): number {
  if (value === undefined) return absent;
  return typeof value === "bigint" ? Number(value) : value;
}

/**
 * The key of a partition inside a session: topic id and partition when the session uses topic
 * ids, topic name and partition otherwise. Partition is the part after the last ':' and never
 * contains one, so distinct partitions never share a key.
 */
export function sessionPartitionKey(topicKey: string, partition: number): string {
  return topicKey + ":" + partition;
}
