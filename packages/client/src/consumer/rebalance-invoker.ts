import type { Cluster } from "../cluster/cluster.js";
import { compareTopicPartitions, type TopicPartition, tpKey } from "./consumer-types.js";
import type { SubscriptionState } from "./subscription-state.js";

/**
 * The two rebalance steps that touch the application: partitions go (the listener's
 * onPartitionsRevoked / onPartitionsLost runs first, while their positions can still be
 * committed, then they are dropped) and partitions come (the assignment changes, new partitions
 * will start at their committed offsets, then onPartitionsAssigned runs, so it can seek). A
 * listener that throws does not stop the rebalance; its first error is raised by the poll that ran
 * it, once the rebalance is complete.
 */
export class RebalanceInvoker {
  readonly #subscriptions: SubscriptionState;
  readonly #cluster: Cluster;
  readonly #onAssigned: () => void;
  #error: unknown;

  constructor(subscriptions: SubscriptionState, cluster: Cluster, onAssigned: () => void) {
    this.#subscriptions = subscriptions;
    this.#cluster = cluster;
    this.#onAssigned = onAssigned;
  }

  async revoke(partitions: readonly TopicPartition[], lost: boolean): Promise<void> {
    const listener = this.#subscriptions.listener;
    const list = [...partitions].sort(compareTopicPartitions);
    try {
      if (lost) await (listener.onPartitionsLost ?? listener.onPartitionsRevoked)?.call(listener, list);
      else await listener.onPartitionsRevoked?.(list);
    } catch (err) {
      this.#failed(err);
    }
    const gone = new Set(list.map((tp) => tpKey(tp.topic, tp.partition)));
    this.#subscriptions.setAssignment(
      this.#subscriptions.assignment().filter((tp) => !gone.has(tpKey(tp.topic, tp.partition))),
    );
  }

  async assign(assigned: readonly TopicPartition[], added: readonly TopicPartition[]): Promise<void> {
    for (const state of this.#subscriptions.setAssignment(assigned)) state.requestCommitted();
    for (const tp of assigned) this.#cluster.addInterest(tp.topic);
    this.#onAssigned();
    try {
      await this.#subscriptions.listener.onPartitionsAssigned?.([...added].sort(compareTopicPartitions));
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Throws (once) the first error a listener threw. */
  raise(): void {
    const err = this.#error;
    if (err === undefined) return;
    this.#error = undefined;
    throw err;
  }

  #failed(err: unknown): void {
    this.#cluster.logger.error("the rebalance listener threw", { error: (err as Error).message });
    this.#error ??= err;
  }
}
