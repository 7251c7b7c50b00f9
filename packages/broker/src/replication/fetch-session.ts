import { ZERO_UUID } from "@weir/protocol";
import { FetchSessionPartition } from "./fetch-session-partition.js";
import type {
  FetchSessionForgottenTopic,
  FetchSessionRequestTopic,
  TopicNameResolver,
} from "./fetch-session-request.js";
import { sessionPartitionKey } from "./fetch-session-request.js";

/**
 * An incremental fetch session (KIP-227): the partitions one fetcher reads, in the order it reads
 * them, and the epoch its next incremental request must carry. Partitions are keyed by topic id
 * when the session was created by a v13+ request, by topic name otherwise; a topic recreated
 * under a new id is therefore a different partition of the session.
 *
 * The cache owns the bookkeeping fields (`lastUsedMs`, `cachedSize`, `evictable*`); only
 * FetchSessionCache changes them.
 */
export class FetchSession {
  /** The expected epoch of the next incremental request. */
  epoch: number;
  lastUsedMs: number;
  /** The size the cache last accounted for; -1 until the cache first touches the session. */
  cachedSize = -1;
  /** May be evicted by any new session (it was older than the eviction time when last used). */
  evictableByAll = false;
  /** May be evicted by a new privileged session. */
  evictableByPrivileged = false;
  /** How many partitions have no topic name yet (an id the broker did not know). */
  #unresolved: number;

  constructor(
    readonly id: number,
    /** Created by a follower: outranks consumer sessions in the cache. */
    readonly privileged: boolean,
    readonly usesTopicIds: boolean,
    /** Session order: a partition that returned records moves to the end. */
    readonly partitions: Map<string, FetchSessionPartition>,
    readonly creationMs: number,
    epoch: number,
  ) {
    this.epoch = epoch;
    this.lastUsedMs = creationMs;
    let unresolved = 0;
    for (const p of partitions.values()) if (p.topic === undefined) unresolved++;
    this.#unresolved = unresolved;
  }

  get size(): number {
    return this.partitions.size;
  }

  /**
   * Applies an incremental request: listed partitions are added (at the end) or have their
   * request parameters updated; forgotten partitions are removed.
   */
  update(
    topics: Iterable<FetchSessionRequestTopic>,
    forgotten: Iterable<FetchSessionForgottenTopic> | undefined,
    topicName: TopicNameResolver,
  ): void {
    this.#unresolved += addRequestPartitions(this.partitions, topics, this.usesTopicIds, topicName);
    if (forgotten !== undefined) {
      this.#unresolved -= removeForgottenPartitions(this.partitions, forgotten, this.usesTopicIds);
    }
  }

  /** Names partitions whose topic id the broker has learnt since; resolved names are kept. */
  resolveTopicNames(topicName: TopicNameResolver): void {
    if (this.#unresolved === 0) return;
    let unresolved = 0;
    for (const p of this.partitions.values()) {
      if (p.topic !== undefined) continue;
      p.topic = topicName(p.topicId);
      if (p.topic === undefined) unresolved++;
    }
    this.#unresolved = unresolved;
  }
}

/**
 * Adds the request's partitions to `partitions` in request order; a partition already present
 * (listed again, or already in the session) keeps its place and takes the new request
 * parameters. Returns how many added partitions have an unresolved topic name.
 */
export function addRequestPartitions(
  partitions: Map<string, FetchSessionPartition>,
  topics: Iterable<FetchSessionRequestTopic>,
  usesTopicIds: boolean,
  topicName: TopicNameResolver,
): number {
  let unresolved = 0;
  for (const t of topics) {
    let name: string | undefined;
    let topicId: string;
    let topicKey: string;
    if (usesTopicIds) {
      topicId = t.topicId ?? ZERO_UUID;
      name = topicName(topicId);
      topicKey = topicId;
    } else {
      topicId = ZERO_UUID;
      name = t.topic ?? "";
      topicKey = name;
    }
    for (const p of t.partitions) {
      const key = sessionPartitionKey(topicKey, p.partition);
      const cached = partitions.get(key);
      if (cached === undefined) {
        partitions.set(key, new FetchSessionPartition(key, name, topicId, p.partition, p));
        if (name === undefined) unresolved++;
      } else {
        cached.updateRequestParams(p);
      }
    }
  }
  return unresolved;
}

/** Removes forgotten partitions; returns how many of them had an unresolved topic name. */
export function removeForgottenPartitions(
  partitions: Map<string, FetchSessionPartition>,
  forgotten: Iterable<FetchSessionForgottenTopic>,
  usesTopicIds: boolean,
): number {
  let unresolved = 0;
  for (const t of forgotten) {
    const topicKey = usesTopicIds ? (t.topicId ?? ZERO_UUID) : (t.topic ?? "");
    for (const partition of t.partitions) {
      const key = sessionPartitionKey(topicKey, partition);
      const cached = partitions.get(key);
      if (cached === undefined) continue;
      partitions.delete(key);
      if (cached.topic === undefined) unresolved++;
    }
  }
  return unresolved;
}
