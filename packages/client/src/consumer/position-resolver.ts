import { ApiKey, ErrorCode } from "@weir/protocol";
import { backoffMs } from "../cluster/backoff.js";
import type { Cluster } from "../cluster/cluster.js";
import { DeadlineTimer } from "../cluster/deadline-timer.js";
import type { ConsumerConfig } from "../config/options-table.js";
import { asKafkaError, brokerError, ClientClosedError, KafkaError, TimeoutError } from "../errors.js";
import { IllegalStateError } from "./consumer-errors.js";
import type { GroupOffsets } from "./group/group-offsets.js";
import type { OffsetResetStrategy, PartitionState, SubscriptionState } from "./subscription-state.js";
import { MAX_WAIT_MS } from "./wakeup.js";

/** ListOffsets timestamps: -2 the log start, -1 the end. */
function resetTimestamp(strategy: OffsetResetStrategy): number {
  if (strategy === "earliest") return -2;
  if (strategy === "latest") return -1;
  return strategy.timestamp;
}

/** ListOffsets errors after which the leader should be looked up again. */
const STALE_LEADER: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

/**
 * Finds positions for partitions that have none, in the background: the group's committed offset
 * (OffsetFetch), else auto.offset.reset through ListOffsets to the leader; and carries out
 * seekToBeginning / seekToEnd / seekToTimestamp the same way. Results apply only if the partition
 * was not moved meanwhile; failures are retried with backoff, final ones reported at the next poll.
 */
export class PositionResolver {
  readonly #cluster: Cluster;
  readonly #config: ConsumerConfig;
  readonly #subscriptions: SubscriptionState;
  readonly #offsets: () => GroupOffsets | null;
  readonly #onChange: () => void;
  /** Wakes the consumer when the next lookup backoff ends. */
  readonly #timer = new DeadlineTimer(() => this.#onChange());
  #closed = false;

  constructor(
    cluster: Cluster,
    config: ConsumerConfig,
    subscriptions: SubscriptionState,
    offsets: () => GroupOffsets | null,
    onChange: () => void,
  ) {
    this.#cluster = cluster;
    this.#config = config;
    this.#subscriptions = subscriptions;
    this.#offsets = offsets;
    this.#onChange = onChange;
  }

  close(): void {
    this.#closed = true;
    this.#timer.clear();
  }

  /**
   * The position of an assigned partition once known, looking it up as needed, by `deadline`
   * (TimeoutError after). `wait` sleeps until something changed; `checkOpen` throws once the
   * consumer is closed. A final error of the lookup is thrown here instead of at the next poll.
   */
  async awaitPosition(
    state: PartitionState,
    deadline: number,
    wait: (ms: number) => Promise<void>,
    checkOpen: () => void,
  ): Promise<number> {
    const errors = this.#subscriptions.errors;
    for (;;) {
      if (state.hasValidPosition) return state.position;
      if (!state.assigned)
        throw new IllegalStateError(`${state.topic}-${state.partition} is no longer assigned`);
      checkOpen();
      const error = errors.find((e) => e.topic === state.topic && e.partition === state.partition);
      if (error !== undefined) {
        errors.splice(errors.indexOf(error), 1);
        throw error;
      }
      const now = Date.now();
      if (now >= deadline) {
        throw new TimeoutError(`the position of ${state.topic}-${state.partition} was not found in time`);
      }
      this.update();
      await wait(Math.min(deadline - now, MAX_WAIT_MS));
    }
  }

  /** Starts the lookups that are due; returns at once. */
  update(): void {
    if (this.#closed) return;
    const now = Date.now();
    const committed: PartitionState[] = [];
    const resets: PartitionState[] = [];
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const state of this.#subscriptions.assigned.values()) {
      if (state.lookupInFlight || (!state.awaitingCommitted && state.reset === null)) continue;
      if (state.retryAt > now) {
        wakeAt = Math.min(wakeAt, state.retryAt);
        continue;
      }
      if (state.awaitingCommitted) {
        if (this.#offsets() === null) this.#defaultReset(state);
        else committed.push(state);
      }
      if (state.reset !== null && !state.awaitingCommitted) resets.push(state);
    }
    if (wakeAt < Number.POSITIVE_INFINITY) this.#arm(wakeAt);
    if (committed.length > 0) void this.#lookupCommitted(committed);
    if (resets.length > 0) this.#lookupResets(resets);
  }

  /** No committed offset: auto.offset.reset decides (or the application hears about it with "none"). */
  #defaultReset(state: PartitionState): void {
    state.awaitingCommitted = false;
    const strategy = this.#config.autoOffsetReset;
    if (strategy === "none") {
      this.#subscriptions.errors.push(
        new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `${state.topic}-${state.partition} has no committed offset and auto.offset.reset is none; seek to start it`,
          { topic: state.topic, partition: state.partition, retriable: false },
        ),
      );
      state.position = -1;
      return;
    }
    state.reset = strategy;
  }

  async #lookupCommitted(states: PartitionState[]): Promise<void> {
    const offsets = this.#offsets()!;
    const generations = states.map((s) => s.generation);
    for (const s of states) s.lookupInFlight = true;
    try {
      const found = await offsets.fetch(states, Date.now() + this.#config.defaultApiTimeoutMs);
      states.forEach((state, i) => {
        if (!state.assigned || state.generation !== generations[i] || !state.awaitingCommitted) return;
        const c = found.get(state.key);
        if (c === undefined) this.#defaultReset(state);
        else state.seek(c.offset, c.leaderEpoch);
      });
    } catch (err) {
      this.#failed(states, generations, err, "looking up committed offsets");
    } finally {
      for (const s of states) s.lookupInFlight = false;
      this.#onChange();
    }
  }

  #lookupResets(states: PartitionState[]): void {
    const metadata = this.#cluster.metadata;
    const byLeader = new Map<number, PartitionState[]>();
    let needMetadata = false;
    for (const state of states) {
      const leader = metadata.leaderOf(state.topic, state.partition);
      if (leader < 0) {
        needMetadata = true;
        this.#cluster.addInterest(state.topic);
        state.retryAt = Date.now() + this.#config.retryBackoffMs;
        this.#arm(state.retryAt);
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push(state);
      byLeader.set(leader, list);
    }
    if (needMetadata) this.#cluster.requestUpdate();
    for (const [leader, list] of byLeader) void this.#listOffsets(leader, list);
  }

  async #listOffsets(leader: number, states: PartitionState[]): Promise<void> {
    const generations = states.map((s) => s.generation);
    const strategies = states.map((s) => s.reset!);
    for (const s of states) s.lookupInFlight = true;
    const readCommitted = this.#config.isolationLevel === "read_committed";
    try {
      const byTopic = new Map<string, number[]>();
      states.forEach((s, i) => {
        byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), i]);
      });
      const { response } = await this.#cluster.send(
        leader,
        ApiKey.ListOffsets,
        () => ({
          replicaId: -1,
          isolationLevel: readCommitted ? 1 : 0,
          topics: [...byTopic].map(([name, indexes]) => ({
            name,
            partitions: indexes.map((i) => ({
              partitionIndex: states[i].partition,
              currentLeaderEpoch: -1,
              timestamp: BigInt(resetTimestamp(strategies[i])),
              maxNumOffsets: 1,
            })),
          })),
          timeoutMs: this.#config.requestTimeoutMs,
        }),
        { min: readCommitted ? 2 : 1 },
      );
      let stale = false;
      states.forEach((state, i) => {
        if (!state.assigned || state.generation !== generations[i]) return;
        const p = response.topics
          .find((t) => t.name === state.topic)
          ?.partitions.find((x) => x.partitionIndex === state.partition);
        const code = p?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (p === undefined || code !== ErrorCode.NONE) {
          if (STALE_LEADER.has(code)) stale = true;
          this.#failOne(
            state,
            brokerError(code, `looking up the offset of ${state.topic}-${state.partition}`, state),
          );
          return;
        }
        const offset = Number(p.offset ?? p.oldStyleOffsets?.[0] ?? -1n);
        if (offset < 0) {
          // No record at or after the timestamp: start at the end, as Kafka's reset by time does.
          state.requestReset("latest");
          return;
        }
        this.#cluster.logger.debug("position reset", {
          topic: state.topic,
          partition: state.partition,
          offset,
        });
        state.seek(offset, p.leaderEpoch ?? -1);
      });
      if (stale) this.#cluster.requestUpdate();
    } catch (err) {
      this.#cluster.requestUpdate();
      this.#failed(states, generations, err, "looking up offsets");
    } finally {
      for (const s of states) s.lookupInFlight = false;
      this.#onChange();
    }
  }

  #failed(states: PartitionState[], generations: number[], err: unknown, what: string): void {
    if (this.#closed || err instanceof ClientClosedError) return;
    const error = asKafkaError(err, what);
    states.forEach((state, i) => {
      if (state.assigned && state.generation === generations[i]) this.#failOne(state, error, false);
    });
    if (!error.retriable) this.#subscriptions.errors.push(error);
  }

  /** Backs off; a final error is reported to the application (once per call with `report`). */
  #failOne(state: PartitionState, error: KafkaError, report = true): void {
    state.failures++;
    state.retryAt =
      Date.now() + backoffMs(state.failures, this.#config.retryBackoffMs, this.#config.retryBackoffMaxMs);
    this.#arm(state.retryAt);
    if (report && !error.retriable) this.#subscriptions.errors.push(error);
  }

  #arm(at: number): void {
    if (!this.#closed) this.#timer.arm(at);
  }
}
