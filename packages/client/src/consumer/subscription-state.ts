import type { KafkaError } from "../errors.js";
import type { CompletedFetch } from "./completed-fetch.js";
import {
  compareTopicPartitions,
  type RebalanceListener,
  type TopicPartition,
  type TopicPartitionOffset,
  tpKey,
} from "./consumer-types.js";

/** Where to move a partition whose position is unknown or was asked to move. */
export type OffsetResetStrategy = "earliest" | "latest" | { readonly timestamp: number };

/**
 * Everything the consumer knows about one assigned partition: where the application is (the
 * position: the offset of the next record to hand out), where fetching is (ahead of the
 * position when a response is buffered), what is buffered, and whether it is paused or waiting
 * for its position to be looked up.
 */
export class PartitionState implements TopicPartition {
  readonly key: string;
  /** Next offset to hand to the application; -1 while unknown. */
  position = -1;
  /** Leader epoch of the last record handed out (-1: unknown), committed with the position. */
  positionEpoch = -1;
  /** Next offset to fetch: the position, or the end of the last buffered response. */
  fetchOffset = -1;
  /** Bumped by every seek, reset and revocation: responses for an older generation are dropped. */
  generation = 0;
  /** A reset asked for (seekToBeginning/End, auto.offset.reset), waiting for ListOffsets. */
  reset: OffsetResetStrategy | null = null;
  /** The committed offset is being looked up (or should be, when true and not in flight). */
  awaitingCommitted = false;
  lookupInFlight = false;
  paused = false;
  fetchInFlight = false;
  /** Fetched responses not yet handed out, oldest first. */
  readonly fetches: CompletedFetch[] = [];
  /** In the fetcher's queue of partitions with records to hand out. */
  ready = false;
  assigned = true;
  highWatermark = -1;
  lastStableOffset = -1;
  logStartOffset = -1;
  /** No fetch or lookup for this partition before this time (backoff after an error). */
  retryAt = 0;
  /** Consecutive failures, for the backoff. */
  failures = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    this.key = tpKey(topic, partition);
  }

  /** Whether the position is known and no reset or lookup is pending. */
  get hasValidPosition(): boolean {
    return this.position >= 0 && this.reset === null && !this.awaitingCommitted;
  }

  /** Moves the position; buffered and in-flight data become stale. */
  seek(offset: number, leaderEpoch = -1): void {
    this.position = offset;
    this.positionEpoch = leaderEpoch;
    this.fetchOffset = offset;
    this.reset = null;
    this.awaitingCommitted = false;
    this.invalidate();
  }

  /** Asks for the position to be looked up with ListOffsets (seekToBeginning/End, auto.offset.reset). */
  requestReset(strategy: OffsetResetStrategy): void {
    this.reset = strategy;
    this.awaitingCommitted = false;
    this.invalidate();
  }

  /** Asks for the position to start at the group's committed offset (or auto.offset.reset without one). */
  requestCommitted(): void {
    this.reset = null;
    this.awaitingCommitted = true;
    this.invalidate();
  }

  /** Drops buffered data and makes in-flight responses stale. */
  invalidate(): void {
    this.generation++;
    this.fetches.length = 0;
    this.failures = 0;
    this.retryAt = 0;
  }
}

export type SubscriptionMode = "none" | "topics" | "pattern" | "manual";

/**
 * The consumer's subscription (topic names, a pattern, or partitions assigned by hand) and the
 * state of every partition it currently owns.
 */
export class SubscriptionState {
  mode: SubscriptionMode = "none";
  /** Subscribed topic names (for a pattern: the matching topics last seen in the metadata). */
  topics: ReadonlySet<string> = new Set();
  pattern: RegExp | null = null;
  listener: RebalanceListener = {};
  readonly #assigned = new Map<string, PartitionState>();
  /** Errors to surface at the next poll (a partition's fetch failed for good, a lookup failed). */
  readonly errors: KafkaError[] = [];

  get assigned(): ReadonlyMap<string, PartitionState> {
    return this.#assigned;
  }

  state(topic: string, partition: number): PartitionState | undefined {
    return this.#assigned.get(tpKey(topic, partition));
  }

  assignment(): TopicPartition[] {
    return [...this.#assigned.values()]
      .map((s) => ({ topic: s.topic, partition: s.partition }))
      .sort(compareTopicPartitions);
  }

  /**
   * Replaces the assignment. Partitions assigned before and after keep their state (position,
   * buffered records, pause); the others are dropped. Returns the added states.
   */
  setAssignment(partitions: readonly TopicPartition[]): PartitionState[] {
    const next = new Map<string, PartitionState>();
    const added: PartitionState[] = [];
    for (const tp of partitions) {
      const key = tpKey(tp.topic, tp.partition);
      if (next.has(key)) continue;
      let state = this.#assigned.get(key);
      if (state === undefined) {
        state = new PartitionState(tp.topic, tp.partition);
        added.push(state);
      }
      next.set(key, state);
    }
    for (const [key, state] of this.#assigned) {
      if (!next.has(key)) {
        state.assigned = false;
        state.invalidate();
      }
    }
    this.#assigned.clear();
    for (const [key, state] of next) this.#assigned.set(key, state);
    return added;
  }

  /** Positions of every partition whose position is known: what a commit of "everything consumed" sends. */
  allConsumed(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const s of this.#assigned.values()) {
      if (s.position >= 0 && !s.awaitingCommitted && s.reset === null) {
        out.push({
          topic: s.topic,
          partition: s.partition,
          offset: s.position,
          leaderEpoch: s.positionEpoch,
        });
      }
    }
    return out;
  }

  /** Whether `topic` is part of the subscription (by name or pattern). */
  isSubscribed(topic: string): boolean {
    return this.topics.has(topic);
  }
}
