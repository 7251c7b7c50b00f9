import { ErrorCode } from "@weir/protocol";
import type { Cluster } from "../cluster/cluster.js";
import type { ConsumerConfig } from "../config/options-table.js";
import { ClientClosedError, KafkaError } from "../errors.js";
import { checkOffset, checkPartition } from "./consumer-arguments.js";
import { IllegalArgumentError, IllegalStateError } from "./consumer-errors.js";
import {
  type CommittedPartitionOffset,
  type ConsumerGroupMetadata,
  type ConsumerRecord,
  compareTopicPartitions,
  type RebalanceListener,
  type RunOptions,
  type TopicPartition,
  type TopicPartitionOffset,
} from "./consumer-types.js";
import { Fetcher } from "./fetcher.js";
import { GroupMember } from "./group/group-member.js";
import { type CommitCallback, OffsetCommitter } from "./offset-committer.js";
import { PatternSubscription } from "./pattern-subscription.js";
import { PollLoop } from "./poll-loop.js";
import { PositionResolver } from "./position-resolver.js";
import { RebalanceInvoker } from "./rebalance-invoker.js";
import { type OffsetResetStrategy, type PartitionState, SubscriptionState } from "./subscription-state.js";
import { Wakeup } from "./wakeup.js";

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
  /** The group side (null without a group.id). */
  readonly #member: GroupMember | null;
  #closed = false;
  #closePromise: Promise<void> | undefined;
  readonly #pattern: PatternSubscription;
  readonly #rebalance: RebalanceInvoker;
  readonly #committer: OffsetCommitter;
  readonly #loop: PollLoop;

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
    this.#member =
      this.#groupCluster === null || config.groupId === null
        ? null
        : new GroupMember(
            {
              cluster,
              config,
              subscriptions: this.#subscriptions,
              wake: () => this.#wake(),
              lastPollAt: () => this.#loop.lastPollAt(),
              commitBeforeRebalance: () => this.#committer.commitBeforeRebalance(),
              revoke: (partitions, lost) => this.#rebalance.revoke(partitions, lost),
              assign: (assigned, added) => this.#rebalance.assign(assigned, added),
            },
            this.#groupCluster,
            config.groupId,
          );
    const offsets = this.#member?.offsets ?? null;
    this.#resolver = new PositionResolver(
      cluster,
      config,
      this.#subscriptions,
      () => offsets,
      () => {
        this.#fetcher.schedule();
        this.#wake();
      },
    );
    cluster.onMetadata(() => this.#fetcher.schedule());
    this.#committer = new OffsetCommitter(
      config,
      cluster.logger,
      this.#subscriptions,
      offsets,
      () => this.#group,
      () => this.#loop.attend(),
    );
    this.#pattern = new PatternSubscription(cluster, config, this.#subscriptions, () => {
      this.#group?.subscriptionChanged();
      this.#wake();
    });
    this.#loop = new PollLoop({
      config,
      subscriptions: this.#subscriptions,
      fetcher: this.#fetcher,
      resolver: this.#resolver,
      rebalance: this.#rebalance,
      committer: this.#committer,
      wakeup: this.#wakeup,
      keepAlive: cluster.keepAlive,
      group: () => this.#group,
      closed: () => this.#closed,
    });
  }

  /** The group membership, once subscribe() made one. */
  get #group() {
    return this.#member?.membership ?? null;
  }

  /** The resolved configuration (Kafka property names in README.md). */
  get config(): Readonly<ConsumerConfig> {
    return this.#config;
  }

  /** Connects and loads cluster metadata, failing if no broker answers within default.api.timeout.ms. */
  connect(): Promise<void> {
    return this.#pending(async () => {
      this.#checkOpen();
      await this.#cluster.loadMetadata(this.#config.defaultApiTimeoutMs);
    });
  }

  /** Runs a call the application waits on, holding the process open until it settles. */
  #pending<T>(call: () => Promise<T>): Promise<T> {
    return this.#cluster.keepAlive.during(call);
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
    this.#pattern.stop();
    if (topics instanceof RegExp) {
      this.#pattern.start(topics);
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
    this.#member!.join().subscriptionChanged();
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
  unsubscribe(): Promise<void> {
    return this.#pending(() => this.#unsubscribe());
  }

  async #unsubscribe(): Promise<void> {
    this.#checkOpen();
    const subs = this.#subscriptions;
    this.#pattern.stop();
    if (subs.mode !== "manual") await this.#member?.unsubscribe();
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
      next: () => this.#loop.next(),
      return: () => this.#loop.done(),
    };
  }

  /**
   * Up to max.poll.records records, across partitions, waiting up to `timeoutMs` for some;
   * resolves with an empty array when none came (or the consumer was closed meanwhile). A poll
   * that has to join the group first waits for the join, however long it takes.
   */
  async poll(timeoutMs = this.#config.defaultApiTimeoutMs): Promise<ConsumerRecord[]> {
    this.#checkOpen();
    return this.#loop.poll(Date.now() + Math.max(0, timeoutMs));
  }

  /**
   * Hands records to `eachBatch` (one partition's records at a time, up to max.poll.records) or
   * `eachMessage`, one call at a time, until `stop()` or `close()`. A batch counts as consumed
   * once its handler resolved; if the handler throws, the partition goes back to the first record
   * not yet handled (it comes again) and run() rejects with the error.
   */
  async run(options: RunOptions): Promise<void> {
    this.#checkOpen();
    return this.#loop.run(options);
  }

  /** Makes run() return after the batch in progress. */
  stop(): void {
    this.#loop.stop();
  }

  #wake(): void {
    this.#loop.wake();
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
  position(partition: TopicPartition, options: { timeoutMs?: number } = {}): Promise<number> {
    return this.#pending(() => this.#position(partition, options));
  }

  async #position(partition: TopicPartition, options: { timeoutMs?: number }): Promise<number> {
    this.#checkOpen();
    return this.#resolver.awaitPosition(
      this.#assigned(partition),
      Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
      (ms) => this.#wakeup.wait(ms),
      () => this.#checkOpen(),
    );
  }

  /** The group's committed offsets of `partitions` (offset -1 where none), in the order given. */
  committed(
    partitions: readonly TopicPartition[],
    options: { timeoutMs?: number } = {},
  ): Promise<CommittedPartitionOffset[]> {
    return this.#pending(() => this.#committed(partitions, options));
  }

  async #committed(
    partitions: readonly TopicPartition[],
    options: { timeoutMs?: number },
  ): Promise<CommittedPartitionOffset[]> {
    this.#checkOpen();
    const offsets = this.#committer.offsets("committed()");
    for (const tp of partitions) checkPartition(tp);
    return offsets.committed(
      partitions,
      Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
      this.#member?.fetchIdentity() ?? null,
    );
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
  commitSync(offsets?: readonly TopicPartitionOffset[], options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#pending(async () => {
      this.#checkOpen();
      const list = offsets ?? this.#subscriptions.allConsumed();
      for (const o of list) checkOffset(o);
      await this.#committer.commitSync(
        list,
        Date.now() + (options.timeoutMs ?? this.#config.defaultApiTimeoutMs),
      );
    });
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

  // ---- closing -------------------------------------------------------------------------------

  /**
   * Commits consumed positions (with auto commit), tells the listener its partitions are revoked,
   * leaves the group (not a static member), and disconnects. Loops and polls in progress end.
   * Whatever is left after `timeoutMs` (default 30 s) is abandoned.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closePromise ??= this.#pending(() => this.#close(options.timeoutMs ?? 30_000));
    return this.#closePromise;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    this.#pattern.stop();
    // No more joins or heartbeats; leaving (below) still works.
    this.#group?.close();
    this.#wake();
    const graceful = async () => {
      await this.#committer.commitOnClose(this.#loop.consumed(), Date.now() + timeoutMs);
      if (this.#subscriptions.mode !== "manual") await this.#member?.leaveOnClose();
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
