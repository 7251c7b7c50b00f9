import { ErrorCode } from "@weir/protocol";
import type { ConsumerConfig, Logger } from "../config/options-table.js";
import { asKafkaError, KafkaError } from "../errors.js";
import type { TopicPartitionOffset } from "./consumer-types.js";
import type { GroupOffsets, MemberIdentity } from "./group/group-offsets.js";
import { NO_MEMBER } from "./group/group-offsets.js";
import type { GroupMembership } from "./group/membership.js";
import type { SubscriptionState } from "./subscription-state.js";

/** Called with the outcome of commitAsync(). */
export type CommitCallback = (error: KafkaError | null, offsets: readonly TopicPartitionOffset[]) => void;

/**
 * The consumer's commits: synchronous ones (retried within a time budget), asynchronous ones
 * (sent in order, not retried, reported to a callback), and auto commit, which is due every
 * auto.commit.interval.ms and carried out by the next poll while the group is stable, as well as
 * before every rebalance and on close.
 */
export class OffsetCommitter {
  readonly #config: ConsumerConfig;
  readonly #logger: Logger;
  readonly #subscriptions: SubscriptionState;
  readonly #offsets: GroupOffsets | null;
  readonly #group: () => GroupMembership | null;
  readonly #asyncCommits = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #due = false;

  constructor(
    config: ConsumerConfig,
    logger: Logger,
    subscriptions: SubscriptionState,
    offsets: GroupOffsets | null,
    group: () => GroupMembership | null,
    onDue: () => void,
  ) {
    this.#config = config;
    this.#logger = logger;
    this.#subscriptions = subscriptions;
    this.#offsets = offsets;
    this.#group = group;
    if (offsets !== null && config.enableAutoCommit) {
      this.#timer = setInterval(
        () => {
          this.#due = true;
          onDue();
        },
        Math.max(config.autoCommitIntervalMs, 1),
      );
      this.#timer.unref();
    }
  }

  /** The group's offsets, or INVALID_GROUP_ID without a group.id. */
  offsets(what: string): GroupOffsets {
    if (this.#offsets === null) {
      throw new KafkaError(ErrorCode.INVALID_GROUP_ID, `${what} needs a group.id`, { retriable: false });
    }
    return this.#offsets;
  }

  /** Commits in a group need a generation; outside one (assign mode) the group's "simple" commit. */
  identity(): MemberIdentity {
    const group = this.#group();
    if (group === null || this.#subscriptions.mode === "manual") return NO_MEMBER;
    const identity = group.identity();
    if (identity.generationId < 0) {
      throw new KafkaError(
        ErrorCode.REBALANCE_IN_PROGRESS,
        "the consumer is between generations of its group (rebalancing); poll, then commit again",
        { retriable: false },
      );
    }
    return identity;
  }

  async commitSync(list: readonly TopicPartitionOffset[], deadline: number): Promise<void> {
    await this.offsets("commitSync()").commit(list, () => this.identity(), deadline, true);
  }

  commitAsync(list: readonly TopicPartitionOffset[], callback?: CommitCallback): void {
    const offsets = this.offsets("commitAsync()");
    const done = (err: KafkaError | null) => {
      if (callback !== undefined) {
        try {
          callback(err, list);
        } catch (thrown) {
          this.#logger.error("commitAsync callback threw", { error: (thrown as Error).message });
        }
      } else if (err !== null) {
        this.#logger.warn("asynchronous commit failed", { error: err.message });
      }
    };
    let identity: MemberIdentity;
    try {
      identity = this.identity();
    } catch (err) {
      done(asKafkaError(err, "commitAsync"));
      return;
    }
    // Not retried, but finding the coordinator may take retries: bounded by default.api.timeout.ms,
    // so the callback always hears back and close(), which waits for it, cannot hang.
    const deadline = Date.now() + this.#config.defaultApiTimeoutMs;
    const p = offsets
      .commit(list, () => identity, deadline, false)
      .then(
        () => done(null),
        (err: unknown) => done(asKafkaError(err, "commitAsync")),
      );
    this.#asyncCommits.add(p);
    void p.finally(() => this.#asyncCommits.delete(p));
  }

  /** Called by every poll: commits every position once the interval has passed (group stable). */
  maybeAutoCommit(): void {
    if (!this.#due || this.#offsets === null) return;
    const group = this.#group();
    if (group !== null && this.#subscriptions.mode !== "manual" && !group.stable) return;
    this.#due = false;
    const list = this.#subscriptions.allConsumed();
    if (list.length > 0) this.commitAsync(list);
  }

  /** With auto commit: every position, before partitions move; failures are logged. */
  async commitBeforeRebalance(): Promise<void> {
    if (!this.#config.enableAutoCommit || this.#offsets === null) return;
    const list = this.#subscriptions.allConsumed();
    if (list.length === 0) return;
    try {
      await this.#offsets.commit(
        list,
        () => this.identity(),
        Date.now() + this.#config.defaultApiTimeoutMs,
        true,
      );
      this.#due = false;
    } catch (err) {
      this.#logger.warn("committing before a rebalance failed", { error: (err as Error).message });
    }
  }

  /**
   * On close: waits for asynchronous commits, then (with auto commit, in a stable group or
   * outside one) commits `list`; failures are logged.
   */
  async commitOnClose(list: readonly TopicPartitionOffset[], deadline: number): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#asyncCommits]);
    if (!this.#config.enableAutoCommit || this.#offsets === null || list.length === 0) return;
    const group = this.#group();
    if (group !== null && this.#subscriptions.mode !== "manual" && !group.stable) return;
    await this.#offsets
      .commit(list, () => this.identity(), deadline, true)
      .catch((err: unknown) =>
        this.#logger.warn("commit on close failed", { error: (err as Error).message }),
      );
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
