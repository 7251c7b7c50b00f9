import type { KeepAlive } from "../cluster/keep-alive.js";
import type { ConsumerConfig } from "../config/options-table.js";
import { IllegalArgumentError, IllegalStateError } from "./consumer-errors.js";
import type { ConsumerBatch, ConsumerRecord, RunOptions, TopicPartitionOffset } from "./consumer-types.js";
import type { Fetcher } from "./fetcher.js";
import type { GroupMembership } from "./group/membership.js";
import type { OffsetCommitter } from "./offset-committer.js";
import type { PositionResolver } from "./position-resolver.js";
import type { RebalanceInvoker } from "./rebalance-invoker.js";
import type { PartitionState, SubscriptionState } from "./subscription-state.js";
import { MAX_WAIT_MS, type Wakeup } from "./wakeup.js";

const DONE: IteratorResult<ConsumerRecord> = Object.freeze({ done: true, value: undefined });

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the poll loop drives; the consumer owns all of it. */
export interface PollLoopParts {
  readonly config: ConsumerConfig;
  readonly subscriptions: SubscriptionState;
  readonly fetcher: Fetcher;
  readonly resolver: PositionResolver;
  readonly rebalance: RebalanceInvoker;
  readonly committer: OffsetCommitter;
  readonly wakeup: Wakeup;
  readonly keepAlive: KeepAlive;
  /** The group membership once the consumer subscribed through its group. */
  group(): GroupMembership | null;
  closed(): boolean;
}

/**
 * The three ways of reading — the async iterator, `poll()` and `run()` — over one loop: group
 * work (joins, the rebalance listener), auto commit, errors to report and position lookups run
 * inside it, between records, never while the application processes them. One read at a time;
 * every read holds the process open until it returns (KeepAlive).
 */
export class PollLoop {
  readonly #parts: PollLoopParts;
  /** Set when the slow path of a poll has something to do; the iterator's fast path checks it. */
  #attention = true;
  #polling = false;
  #running = false;
  #stopRequested = false;
  #pollCount = 0;
  #pollCountSeen = -1;
  #lastPollAt = Date.now();
  /**
   * Records handed out since the event loop last turned. Handing out buffered records takes only
   * microtasks, so without a turn now and then the next fetch response would sit unread in the
   * kernel until the buffer is empty (and the fetch after it would go out late); once
   * max.poll.records were handed out, the next read lets the loop turn first.
   */
  #sinceTurn = 0;
  /** The records a run() handler is working on: not consumed until it resolves. */
  #handling: { state: PartitionState; generation: number; next: number } | null = null;

  constructor(parts: PollLoopParts) {
    this.#parts = parts;
  }

  /** The positions after the records consumed so far: a run() handler's unfinished ones are not. */
  consumed(): TopicPartitionOffset[] {
    const handling = this.#handling;
    return this.#parts.subscriptions
      .allConsumed()
      .map((o) =>
        handling !== null && handling.state.topic === o.topic && handling.state.partition === o.partition
          ? { ...o, offset: handling.next, leaderEpoch: -1 }
          : o,
      );
  }

  /** Something the loop must look at happened: wake a waiting read and leave the fast path. */
  wake(): void {
    this.#attention = true;
    this.#parts.wakeup.notify();
  }

  /** Like wake(), for work that can wait for the next read (an auto commit falling due). */
  attend(): void {
    this.#attention = true;
  }

  /** When the application last read (max.poll.interval.ms counts from here). */
  lastPollAt(): number {
    if (this.#pollCount !== this.#pollCountSeen) {
      this.#pollCountSeen = this.#pollCount;
      this.#lastPollAt = Date.now();
    }
    return this.#lastPollAt;
  }

  /** The iterator's next(): a buffered record at once when nothing needs attention. */
  next(): Promise<IteratorResult<ConsumerRecord>> {
    const { fetcher, subscriptions } = this.#parts;
    if (this.#parts.closed()) return Promise.resolve(DONE);
    if (
      !this.#attention &&
      !this.#polling &&
      subscriptions.errors.length === 0 &&
      this.#sinceTurn < this.#parts.config.maxPollRecords
    ) {
      let record: ConsumerRecord | undefined;
      try {
        record = fetcher.nextRecord();
      } catch (err) {
        return Promise.reject(err);
      }
      if (record !== undefined) {
        this.#pollCount++;
        this.#sinceTurn++;
        return Promise.resolve({ done: false, value: record });
      }
    }
    return this.#nextSlow();
  }

  /** The iterator's return(): leaving a loop leaves the consumer as it is. */
  done(): Promise<IteratorResult<ConsumerRecord>> {
    return Promise.resolve(DONE);
  }

  async #nextSlow(): Promise<IteratorResult<ConsumerRecord>> {
    const record = await this.#poll(Number.POSITIVE_INFINITY, () => {
      const next = this.#parts.fetcher.nextRecord();
      if (next !== undefined) this.#sinceTurn++;
      return next;
    });
    return record === undefined ? DONE : { done: false, value: record };
  }

  /** Up to max.poll.records records, waiting until `deadline` for some. */
  async poll(deadline: number): Promise<ConsumerRecord[]> {
    const { fetcher, config } = this.#parts;
    const records = await this.#poll(deadline, () => {
      const out = fetcher.take(config.maxPollRecords);
      this.#sinceTurn += out.length;
      return out.length > 0 ? out : undefined;
    });
    return records ?? [];
  }

  /** Hands batches or records to the handler until stop() or close (see Consumer.run). */
  run(options: RunOptions): Promise<void> {
    return this.#parts.keepAlive.during(() => this.#run(options));
  }

  async #run(options: RunOptions): Promise<void> {
    const { eachBatch, eachMessage } = options;
    if ((eachBatch === undefined) === (eachMessage === undefined)) {
      throw new IllegalArgumentError("run() takes exactly one of eachBatch and eachMessage");
    }
    if (this.#running) throw new IllegalStateError("run() is already running");
    const { fetcher, config } = this.#parts;
    this.#running = true;
    this.#stopRequested = false;
    try {
      for (;;) {
        if (this.#parts.closed()) return;
        const taken = await this.#poll(
          Number.POSITIVE_INFINITY,
          () => {
            const batch = fetcher.takeBatch(config.maxPollRecords);
            if (batch !== undefined) this.#sinceTurn += batch.records.length;
            return batch;
          },
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
          if (state.assigned && state.generation === handling.generation && !this.#parts.closed()) {
            state.seek(handling.next);
            fetcher.requeue(state);
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
    this.wake();
  }

  #batch(state: PartitionState, records: ConsumerRecord[]): ConsumerBatch {
    const end =
      this.#parts.config.isolationLevel === "read_committed" ? state.lastStableOffset : state.highWatermark;
    return {
      topic: state.topic,
      partition: state.partition,
      records,
      highWatermark: state.highWatermark,
      lag: Math.max(0, end - state.position),
    };
  }

  /**
   * The loop itself: group work, auto commit, errors to report, position lookups, then `take` —
   * until it returns something, the deadline passes, `stopped` says so or the consumer is closed
   * (undefined).
   */
  #poll<T>(
    deadline: number,
    take: () => T | undefined,
    stopped: () => boolean = () => false,
  ): Promise<T | undefined> {
    return this.#parts.keepAlive.during(() => this.#loop(deadline, take, stopped));
  }

  async #loop<T>(
    deadline: number,
    take: () => T | undefined,
    stopped: () => boolean,
  ): Promise<T | undefined> {
    const { subscriptions, rebalance, committer, resolver, fetcher, wakeup } = this.#parts;
    const closed = () => this.#parts.closed();
    if (closed()) return undefined;
    if (this.#polling) {
      throw new IllegalStateError(
        "another poll is in progress: use one of poll(), the iterator and run() at a time",
      );
    }
    this.#polling = true;
    try {
      for (;;) {
        if (closed() || stopped()) return undefined;
        this.#attention = false;
        this.#pollCount++;
        if (subscriptions.mode === "none") {
          throw new IllegalStateError(
            "the consumer is not subscribed to any topic or assigned any partition",
          );
        }
        const group = this.#parts.group();
        if (group !== null && subscriptions.mode !== "manual") {
          try {
            await group.poll();
          } catch (err) {
            if (closed()) return undefined;
            throw err;
          }
          if (closed()) return undefined;
        }
        rebalance.raise();
        committer.maybeAutoCommit();
        const error = subscriptions.errors.shift();
        if (error !== undefined) throw error;
        resolver.update();
        if (this.#sinceTurn >= this.#parts.config.maxPollRecords) {
          await nextTurn();
          this.#sinceTurn = 0;
          if (closed() || stopped()) return undefined;
        }
        const out = take();
        if (out !== undefined) return out;
        fetcher.schedule();
        const now = Date.now();
        if (now >= deadline) return undefined;
        if (this.#attention) continue;
        await wakeup.wait(Math.min(deadline - now, MAX_WAIT_MS));
      }
    } finally {
      this.#polling = false;
    }
  }
}
