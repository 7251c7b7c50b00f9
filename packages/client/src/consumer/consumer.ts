import { ErrorCode } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import { withRetries } from "../cluster/retry.js";
import type { ConsumerConfig } from "../config/options-table.js";
import { ClientClosedError, KafkaError, TimeoutError } from "../errors.js";
import { IllegalArgumentError, IllegalStateError } from "./consumer-errors.js";
import {
  type ConsumerBatch,
  type ConsumerRecord,
  compareTopicPartitions,
  type RebalanceListener,
  type RunOptions,
  type TopicPartition,
  type TopicPartitionOffset,
  tpKey,
} from "./consumer-types.js";
import { Fetcher } from "./fetcher.js";
import { ClassicMembership } from "./group/classic-membership.js";
import { ConsumerMembership } from "./group/consumer-membership.js";
import { CoordinatorLink } from "./group/coordinator-link.js";
import { GroupOffsets } from "./group/group-offsets.js";
import type { GroupMembership, MembershipHost } from "./group/membership.js";
import { type CommitCallback, OffsetCommitter } from "./offset-committer.js";
import { PositionResolver } from "./position-resolver.js";
import { RebalanceInvoker } from "./rebalance-invoker.js";
import { type OffsetResetStrategy, type PartitionState, SubscriptionState } from "./subscription-state.js";
import { Wakeup } from "./wakeup.js";

const DONE: IteratorResult<ConsumerRecord> = Object.freeze({ done: true, value: undefined });
/** Longest single sleep of a waiting poll; it re-checks its state after it. */
const MAX_WAIT_MS = 1_000;

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

/**
 * Reads records from Kafka. Create one with `kafka.consumer(options)`.
 *
 * Choose partitions with `subscribe()` (topic names or a pattern; the group shares their
 * partitions, needs group.id) or `assign()` (exactly these partitions, no group). Then read
 * records with `for await (const record of consumer)`, `run({ eachBatch })` or `poll()`; all
 * three fetch in the background, hand out records in offset order per partition and stop
 * fetching while the application is behind. A record counts as consumed once it was handed out
 * (for run(): once its handler resolved); `commitSync()`/`commitAsync()` and auto commit store
 * the positions after the consumed records. Rebalances and their listener run inside those calls,
 * never while your code processes records. `close()` commits (with auto commit), leaves the group
 * and disconnects.
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  readonly #config: ConsumerConfig;
  readonly #cluster: Cluster;
  /** Connections for group coordinator traffic only (see the constructor). */
  readonly #groupCluster: Cluster | null;
  readonly #subscriptions = new SubscriptionState();
  readonly #wakeup = new Wakeup();
  readonly #fetcher: Fetcher;
  readonly #resolver: PositionResolver;
  readonly #link: CoordinatorLink | null;
  readonly #offsets: GroupOffsets | null;
  readonly #host: MembershipHost | null;
  #group: GroupMembership | null = null;
  /** Set when the slow path of a poll has something to do; the iterator's fast path checks it. */
  #attention = true;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  #polling = false;
  #running = false;
  #stopRequested = false;
  #patternTimer: NodeJS.Timeout | undefined;
  readonly #rebalance: RebalanceInvoker;
  #pollCount = 0;
  #pollCountSeen = -1;
  #lastPollAt = Date.now();
  readonly #committer: OffsetCommitter;
  /** The records a run() handler is working on: not consumed until it resolves. */
  #handling: { state: PartitionState; generation: number; next: number } | null = null;

  /**
   * @internal Use `kafka.consumer()`. Group coordinator requests go over `groupCluster`, connections
   * of their own, as in Kafka's Java client: a broker answers in request order per connection, so
   * a JoinGroup the coordinator holds back during a rebalance would otherwise hold back every
   * fetch response from that broker behind it (and a long-polling fetch every commit).
   */
  constructor(config: ConsumerConfig, cluster: Cluster, groupCluster: Cluster | null = null) {
    this.#config = config;
    this.#cluster = cluster;
    this.#groupCluster = config.groupId === null ? null : (groupCluster ?? cluster);
    this.#fetcher = new Fetcher(cluster, config, this.#subscriptions, () => this.#wakeup.notify());
    this.#rebalance = new RebalanceInvoker(this.#subscriptions, cluster, () => {
      this.#fetcher.schedule();
      this.#wake();
    });
    this.#link =
      config.groupId === null ? null : new CoordinatorLink(this.#groupCluster ?? cluster, config.groupId);
    this.#offsets =
      this.#link === null ? null : new GroupOffsets(this.#groupCluster ?? cluster, config, this.#link);
    this.#resolver = new PositionResolver(
      cluster,
      config,
      this.#subscriptions,
      () => this.#offsets,
      () => {
        this.#fetcher.schedule();
        this.#wake();
      },
    );
    this.#host =
      this.#offsets === null
        ? null
        : {
            cluster,
            config,
            subscriptions: this.#subscriptions,
            offsets: this.#offsets,
            wake: () => this.#wake(),
            lastPollAt: () => this.#lastPoll(),
            commitBeforeRebalance: () => this.#committer.commitBeforeRebalance(),
            revoke: (partitions, lost) => this.#rebalance.revoke(partitions, lost),
            assign: (assigned, added) => this.#rebalance.assign(assigned, added),
          };
    cluster.onMetadata(() => this.#fetcher.schedule());
    this.#committer = new OffsetCommitter(
      config,
      cluster.logger,
      this.#subscriptions,
      this.#offsets,
      () => this.#group,
      () => {
        this.#attention = true;
      },
    );
  }

  /** The resolved configuration (Kafka property names in README.md). */
  get config(): Readonly<ConsumerConfig> {
    return this.#config;
  }

  /** Connects and loads cluster metadata, failing if no broker answers within default.api.timeout.ms. */
  async connect(): Promise<void> {
    this.#checkOpen();
    await withRetries(() => this.#cluster.refreshMetadata(), {
      deadline: Date.now() + this.#config.defaultApiTimeoutMs,
      backoffMs: this.#config.retryBackoffMs,
      backoffMaxMs: this.#config.retryBackoffMaxMs,
      what: "connecting to the cluster",
    });
  }

  // ---- choosing partitions -------------------------------------------------------------------

  /**
   * Subscribes to topics by name (a list replaces the previous one; an empty list unsubscribes) or
   * to every topic a RegExp matches (checked with `test`, against the cluster's topics, again every
   * metadata.max.age.ms). The group (group.id) divides the partitions among its members; the
   * assignment happens in the next poll. The listener hears about partitions coming and going.
   */
  subscribe(topics: string | RegExp | readonly string[], listener: RebalanceListener = {}): void {
    this.#checkOpen();
    if (this.#config.groupId === null) {
      throw new KafkaError(
        ErrorCode.INVALID_GROUP_ID,
        "subscribe() needs a group.id; use assign() without a group",
        {
          retriable: false,
        },
      );
    }
    if (this.#subscriptions.mode === "manual") {
      throw new IllegalStateError("subscribe() after assign(): call unsubscribe() first");
    }
    const subs = this.#subscriptions;
    clearInterval(this.#patternTimer);
    this.#patternTimer = undefined;
    if (topics instanceof RegExp) {
      subs.mode = "pattern";
      subs.pattern = new RegExp(topics.source, topics.flags.replace(/[gy]/g, ""));
      subs.topics = new Set();
      this.#refreshPattern();
      this.#patternTimer = setInterval(
        () => this.#refreshPattern(),
        Math.max(this.#config.metadataMaxAgeMs, 1_000),
      );
      this.#patternTimer.unref();
    } else {
      const list = typeof topics === "string" ? [topics] : topics;
      if (!Array.isArray(list) || list.some((t) => typeof t !== "string" || t.trim() === "")) {
        throw new IllegalArgumentError("subscribe() takes a topic name, a list of names or a RegExp");
      }
      if (list.length === 0) {
        void this.unsubscribe().catch(() => undefined);
        return;
      }
      subs.mode = "topics";
      subs.pattern = null;
      subs.topics = new Set(list);
      for (const t of list) this.#cluster.addInterest(t);
      this.#cluster.refreshMetadata().catch(() => undefined);
    }
    subs.listener = listener;
    this.#ensureGroup().subscriptionChanged();
    this.#wake();
  }

  /** Topics of the subscription (for a pattern: those it matched last). */
  subscription(): string[] {
    return [...this.#subscriptions.topics].sort();
  }

  /**
   * Reads exactly these partitions, without group membership (committing still works with a
   * group.id). Partitions assigned before keep their positions; new ones start at the committed
   * offset, else at auto.offset.reset. An empty list unassigns everything.
   */
  assign(partitions: readonly TopicPartition[]): void {
    this.#checkOpen();
    const subs = this.#subscriptions;
    if (subs.mode === "topics" || subs.mode === "pattern") {
      throw new IllegalStateError("assign() after subscribe(): call unsubscribe() first");
    }
    for (const tp of partitions) checkPartition(tp);
    if (partitions.length === 0) {
      subs.mode = "none";
      subs.setAssignment([]);
      return;
    }
    subs.mode = "manual";
    subs.topics = new Set(partitions.map((tp) => tp.topic));
    const added = subs.setAssignment(partitions);
    for (const state of added) state.requestCommitted();
    for (const t of subs.topics) this.#cluster.addInterest(t);
    this.#cluster.refreshMetadata().catch(() => undefined);
    this.#wake();
  }

  /** The partitions this consumer owns now (sorted). */
  assignment(): TopicPartition[] {
    return this.#subscriptions.assignment();
  }

  /**
   * Drops the subscription or assignment. A group member commits (with auto commit), tells the
   * listener the partitions were revoked and leaves the group.
   */
  async unsubscribe(): Promise<void> {
    this.#checkOpen();
    const subs = this.#subscriptions;
    clearInterval(this.#patternTimer);
    this.#patternTimer = undefined;
    const group = this.#group;
    if (group !== null && subs.mode !== "manual") {
      await this.#committer.commitBeforeRebalance();
      const owned = subs.assignment();
      if (owned.length > 0) await this.#rebalance.revoke(owned, group.generationId < 0);
      await group.leave("the consumer unsubscribed from all topics");
    }
    subs.mode = "none";
    subs.pattern = null;
    subs.topics = new Set();
    subs.setAssignment([]);
    this.#rebalance.raise();
  }

  // ---- reading -------------------------------------------------------------------------------

  /**
   * Records one at a time: `for await (const record of consumer) { … }`. The loop ends when the
   * consumer is closed; leaving it (break, return, throw) leaves the consumer as it is, ready for
   * another loop. A record counts as consumed once it was handed to the loop body.
   */
  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    return {
      next: () => this.#next(),
      return: () => Promise.resolve(DONE),
    };
  }

  #next(): Promise<IteratorResult<ConsumerRecord>> {
    if (this.#closed) return Promise.resolve(DONE);
    if (!this.#attention && !this.#polling && this.#subscriptions.errors.length === 0) {
      let record: ConsumerRecord | undefined;
      try {
        record = this.#fetcher.nextRecord();
      } catch (err) {
        return Promise.reject(err);
      }
      if (record !== undefined) {
        this.#pollCount++;
        return Promise.resolve({ done: false, value: record });
      }
    }
    return this.#nextSlow();
  }

  async #nextSlow(): Promise<IteratorResult<ConsumerRecord>> {
    const record = await this.#poll(Number.POSITIVE_INFINITY, () => this.#fetcher.nextRecord());
    return record === undefined ? DONE : { done: false, value: record };
  }

  /**
   * Up to max.poll.records records, across partitions, waiting up to `timeoutMs` for some;
   * resolves with an empty array when none came (or the consumer was closed meanwhile). A poll
   * that has to join the group first waits for the join, however long it takes.
   */
  async poll(timeoutMs = this.#config.defaultApiTimeoutMs): Promise<ConsumerRecord[]> {
    this.#checkOpen();
    const records = await this.#poll(Date.now() + Math.max(0, timeoutMs), () => {
      const out = this.#fetcher.take(this.#config.maxPollRecords);
      return out.length > 0 ? out : undefined;
    });
    return records ?? [];
  }

  /**
   * Hands records to `eachBatch` (one partition's records at a time, up to max.poll.records) or
   * `eachMessage`, one call at a time, until `stop()` or `close()`. A batch counts as consumed
   * once its handler resolved; if the handler throws, the partition goes back to the first record
   * not yet handled (it comes again) and run() rejects with the error.
   */
  async run(options: RunOptions): Promise<void> {
    this.#checkOpen();
    const { eachBatch, eachMessage } = options;
    if ((eachBatch === undefined) === (eachMessage === undefined)) {
      throw new IllegalArgumentError("run() takes exactly one of eachBatch and eachMessage");
    }
    if (this.#running) throw new IllegalStateError("run() is already running");
    this.#running = true;
    this.#stopRequested = false;
    try {
      for (;;) {
        if (this.#closed) return;
        const taken = await this.#poll(
          Number.POSITIVE_INFINITY,
          () => this.#fetcher.takeBatch(this.#config.maxPollRecords),
          () => this.#stopRequested,
        );
        if (taken === undefined) return;
        const { state, records } = taken;
        const handling = { state, generation: state.generation, next: records[0].offset };
        this.#handling = handling;
        try {
          if (eachBatch !== undefined) {
            await eachBatch(this.#batch(state, records));
          } else {
            for (const record of records) {
              await eachMessage!(record);
              handling.next = record.offset + 1;
            }
          }
        } catch (err) {
          if (state.assigned && state.generation === handling.generation && !this.#closed) {
            state.seek(handling.next);
            this.#fetcher.requeue(state);
          }
          throw err;
        } finally {
          this.#handling = null;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Makes run() return after the batch in progress. */
  stop(): void {
    this.#stopRequested = true;
    this.#wake();
  }

  #batch(state: PartitionState, records: ConsumerRecord[]): ConsumerBatch {
    const end =
      this.#config.isolationLevel === "read_committed" ? state.lastStableOffset : state.highWatermark;
    return {
      topic: state.topic,
      partition: state.partition,
      records,
      highWatermark: state.highWatermark,
      lag: Math.max(0, end - state.position),
    };
  }

  /**
   * The poll loop behind poll(), the iterator and run(): group work (joins, the rebalance
   * listener), auto commit, errors to report, position lookups, then `take` — until it returns
   * something, the deadline passes, `stopped` says so or the consumer is closed (undefined).
   */
  async #poll<T>(
    deadline: number,
    take: () => T | undefined,
    stopped: () => boolean = () => false,
  ): Promise<T | undefined> {
    if (this.#closed) return undefined;
    if (this.#polling) {
      throw new IllegalStateError(
        "another poll is in progress: use one of poll(), the iterator and run() at a time",
      );
    }
    this.#polling = true;
    try {
      for (;;) {
        if (this.#closed || stopped()) return undefined;
        this.#attention = false;
        this.#pollCount++;
        if (this.#subscriptions.mode === "none") {
          throw new IllegalStateError(
            "the consumer is not subscribed to any topic or assigned any partition",
          );
        }
        if (this.#group !== null && this.#subscriptions.mode !== "manual") {
          try {
            await this.#group.poll();
          } catch (err) {
            if (this.#closed) return undefined;
            throw err;
          }
          if (this.#closed) return undefined;
        }
        this.#rebalance.raise();
        this.#committer.maybeAutoCommit();
        const error = this.#subscriptions.errors.shift();
        if (error !== undefined) throw error;
        this.#resolver.update();
        const out = take();
        if (out !== undefined) return out;
        this.#fetcher.schedule();
        const now = Date.now();
        if (now >= deadline) return undefined;
        if (this.#attention) continue;
        await this.#wakeup.wait(Math.min(deadline - now, MAX_WAIT_MS));
      }
    } finally {
      this.#polling = false;
    }
  }

  #lastPoll(): number {
    if (this.#pollCount !== this.#pollCountSeen) {
      this.#pollCountSeen = this.#pollCount;
      this.#lastPollAt = Date.now();
    }
    return this.#lastPollAt;
  }

  #wake(): void {
    this.#attention = true;
    this.#wakeup.notify();
  }

  // ---- positions -----------------------------------------------------------------------------

  /** Moves a partition's position: the next record handed out is the one at `offset`. */
  seek(partition: TopicPartitionOffset): void {
    this.#checkOpen();
    const { offset } = partition;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new IllegalArgumentError(`seek offset must be a non-negative integer, got ${offset}`);
    }
    const state = this.#assigned(partition);
    state.seek(offset, partition.leaderEpoch ?? -1);
    this.#fetcher.requeue(state);
    this.#wake();
  }

  /** Moves partitions (default: all assigned) to their first offset, at the next poll. */
  seekToBeginning(partitions?: readonly TopicPartition[]): void {
    this.#reset(partitions, "earliest");
  }

  /** Moves partitions (default: all assigned) to their end: only records written from now on. */
  seekToEnd(partitions?: readonly TopicPartition[]): void {
    this.#reset(partitions, "latest");
  }

  /**
   * Moves partitions (default: all assigned) to the first record with a timestamp at or after
   * `timestamp` (milliseconds or a Date), or to their end when there is none.
   */
  seekToTimestamp(timestamp: number | Date, partitions?: readonly TopicPartition[]): void {
    const ts = timestamp instanceof Date ? timestamp.getTime() : timestamp;
    if (!Number.isSafeInteger(ts) || ts < 0)
      throw new IllegalArgumentError(`invalid timestamp ${String(timestamp)}`);
    this.#reset(partitions, { timestamp: ts });
  }

  #reset(partitions: readonly TopicPartition[] | undefined, strategy: OffsetResetStrategy): void {
    this.#checkOpen();
    const states =
      partitions === undefined
        ? [...this.#subscriptions.assigned.values()]
        : partitions.map((tp) => this.#assigned(tp));
    for (const state of states) {
      state.requestReset(strategy);
      this.#fetcher.requeue(state);
    }
    this.#wake();
  }

  /**
   * The offset of the next record to be handed out from a partition, looking it up (committed
   * offset or auto.offset.reset) when not known yet, within `timeoutMs` (default
   * default.api.timeout.ms).
   */
  async position(partition: TopicPartition, options: { timeoutMs?: number } = {}): Promise<number> {
    this.#checkOpen();
    const state = this.#assigned(partition);
    const deadline = Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs);
    for (;;) {
      if (state.hasValidPosition) return state.position;
      if (!state.assigned)
        throw new IllegalStateError(`${partition.topic}-${partition.partition} is no longer assigned`);
      this.#checkOpen();
      const error = this.#subscriptions.errors.find(
        (e) => e.topic === state.topic && e.partition === state.partition,
      );
      if (error !== undefined) {
        this.#subscriptions.errors.splice(this.#subscriptions.errors.indexOf(error), 1);
        throw error;
      }
      const now = Date.now();
      if (now >= deadline) {
        throw new TimeoutError(`the position of ${state.topic}-${state.partition} was not found in time`);
      }
      this.#resolver.update();
      await this.#wakeup.wait(Math.min(deadline - now, MAX_WAIT_MS));
    }
  }

  /** The group's committed offsets of `partitions` (offset -1 where none), in the order given. */
  async committed(
    partitions: readonly TopicPartition[],
    options: { timeoutMs?: number } = {},
  ): Promise<CommittedPartitionOffset[]> {
    this.#checkOpen();
    const offsets = this.#committer.offsets("committed()");
    for (const tp of partitions) checkPartition(tp);
    const found = await offsets.fetch(
      partitions,
      Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
      this.#group instanceof ConsumerMembership ? this.#group.identity() : null,
    );
    return partitions.map((tp) => {
      const c = found.get(tpKey(tp.topic, tp.partition));
      return {
        topic: tp.topic,
        partition: tp.partition,
        offset: c?.offset ?? -1,
        leaderEpoch: c?.leaderEpoch ?? -1,
        metadata: c?.metadata ?? null,
      };
    });
  }

  /**
   * Records in a partition after the position, up to the high watermark (last stable offset for
   * read_committed), as of the last fetch; undefined before the first fetch.
   */
  currentLag(partition: TopicPartition): number | undefined {
    const state = this.#assigned(partition);
    const end =
      this.#config.isolationLevel === "read_committed" ? state.lastStableOffset : state.highWatermark;
    if (end < 0 || !state.hasValidPosition) return undefined;
    return Math.max(0, end - state.position);
  }

  /** Stops handing out (and fetching) records of partitions until resume(). */
  pause(partitions: readonly TopicPartition[]): void {
    this.#checkOpen();
    for (const tp of partitions) {
      const state = this.#assigned(tp);
      state.paused = true;
      this.#fetcher.requeue(state);
    }
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.#checkOpen();
    for (const tp of partitions) {
      const state = this.#assigned(tp);
      state.paused = false;
      this.#fetcher.requeue(state);
    }
    this.#wake();
  }

  /** The paused partitions (sorted). */
  paused(): TopicPartition[] {
    return [...this.#subscriptions.assigned.values()]
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }))
      .sort(compareTopicPartitions);
  }

  /** Group id, generation and member id, e.g. for a transactional producer's sendOffsetsToTransaction. */
  groupMetadata(): ConsumerGroupMetadata {
    const group = this.#group;
    return {
      groupId: this.#config.groupId,
      generationId: group?.generationId ?? -1,
      memberId: group?.memberId ?? "",
      groupInstanceId: this.#config.groupInstanceId,
    };
  }

  #assigned(tp: TopicPartition): PartitionState {
    checkPartition(tp);
    const state = this.#subscriptions.state(tp.topic, tp.partition);
    if (state === undefined)
      throw new IllegalStateError(`${tp.topic}-${tp.partition} is not assigned to this consumer`);
    return state;
  }

  // ---- committing ----------------------------------------------------------------------------

  /**
   * Commits offsets (default: the position of every assigned partition, i.e. everything handed
   * out so far) and resolves once the coordinator stored them; retries retriable errors within
   * `timeoutMs` (default default.api.timeout.ms). The offset to commit is the next one to read.
   */
  async commitSync(
    offsets?: readonly TopicPartitionOffset[],
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    this.#checkOpen();
    const list = offsets ?? this.#subscriptions.allConsumed();
    for (const o of list) checkOffset(o);
    await this.#committer.commitSync(
      list,
      Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
    );
  }

  /**
   * Starts a commit (default: every position) without waiting; `callback` hears how it went
   * (without one, failures are logged). Commits are sent in call order and not retried.
   */
  commitAsync(offsets?: readonly TopicPartitionOffset[], callback?: CommitCallback): void {
    this.#checkOpen();
    const list = offsets ?? this.#subscriptions.allConsumed();
    for (const o of list) checkOffset(o);
    this.#committer.commitAsync(list, callback);
  }

  // ---- group ---------------------------------------------------------------------------------

  #ensureGroup(): GroupMembership {
    if (this.#group === null) {
      const host = this.#host!;
      this.#group =
        this.#config.groupProtocol === "consumer"
          ? new ConsumerMembership(host, this.#link!)
          : new ClassicMembership(host, this.#link!);
      const group = this.#group;
      this.#offsets!.onFenced = (code) => {
        group.fenced(code);
        this.#wake();
      };
    }
    return this.#group;
  }

  #refreshPattern(): void {
    this.#cluster.refreshMetadata(null).then(
      (metadata) => {
        const subs = this.#subscriptions;
        const pattern = subs.pattern;
        if (subs.mode !== "pattern" || pattern === null || this.#closed) return;
        const matches = [...metadata.topics.values()]
          .filter((t) => !(this.#config.excludeInternalTopics && t.isInternal) && pattern.test(t.name))
          .map((t) => t.name)
          .sort();
        if (matches.join(",") === [...subs.topics].sort().join(",")) return;
        subs.topics = new Set(matches);
        for (const t of matches) this.#cluster.addInterest(t);
        this.#group?.subscriptionChanged();
        this.#wake();
      },
      (err: unknown) => {
        this.#cluster.logger.warn("listing topics for a pattern subscription failed", {
          error: (err as Error).message,
        });
      },
    );
  }

  // ---- closing -------------------------------------------------------------------------------

  /**
   * Commits consumed positions (with auto commit), tells the listener its partitions are revoked,
   * leaves the group (not a static member), and disconnects. Loops and polls in progress end.
   * Whatever is left after `timeoutMs` (default 30 s) is abandoned.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closePromise ??= this.#close(options.timeoutMs ?? 30_000);
    return this.#closePromise;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    clearInterval(this.#patternTimer);
    // No more joins or heartbeats; leaving (below) still works.
    this.#group?.close();
    this.#wake();
    const graceful = async () => {
      // A run() handler still at work: its records are not consumed yet.
      const handling = this.#handling;
      const consumed = this.#subscriptions
        .allConsumed()
        .map((o) =>
          handling !== null && handling.state.topic === o.topic && handling.state.partition === o.partition
            ? { ...o, offset: handling.next, leaderEpoch: -1 }
            : o,
        );
      await this.#committer.commitOnClose(consumed, Date.now() + timeoutMs);
      const group = this.#group;
      if (group !== null && this.#subscriptions.mode !== "manual") {
        const owned = this.#subscriptions.assignment();
        if (this.#config.groupInstanceId === null && owned.length > 0)
          await this.#rebalance.revoke(owned, !group.stable);
        await group.leave("the consumer is being closed");
      }
      await this.#fetcher.close();
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        graceful().catch((err: unknown) =>
          this.#cluster.logger.warn("closing the consumer", { error: (err as Error).message }),
        ),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          timer.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.#group?.close();
      this.#committer.close();
      this.#resolver.close();
      this.#subscriptions.setAssignment([]);
      this.#cluster.close();
      this.#groupCluster?.close();
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClientClosedError("the consumer is closed");
  }
}

function checkPartition(tp: TopicPartition): void {
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

function checkOffset(o: TopicPartitionOffset): void {
  checkPartition(o);
  if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
    throw new IllegalArgumentError(
      `offset of ${o.topic}-${o.partition} must be a non-negative integer, got ${o.offset}`,
    );
  }
}
