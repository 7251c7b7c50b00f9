import type { Cluster } from "../cluster/cluster.js";
import type { ConsumerConfig } from "../config/options-table.js";
import type { SubscriptionState } from "./subscription-state.js";

/**
 * A subscription to every topic a RegExp matches (with `test`): resolved against the cluster's
 * topics at once and again every metadata.max.age.ms (at least a second apart), internal topics
 * left out with exclude.internal.topics. When the matching topics change, the subscription
 * follows and `onChange` tells the group.
 */
export class PatternSubscription {
  readonly #cluster: Cluster;
  readonly #config: ConsumerConfig;
  readonly #subscriptions: SubscriptionState;
  readonly #onChange: () => void;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    cluster: Cluster,
    config: ConsumerConfig,
    subscriptions: SubscriptionState,
    onChange: () => void,
  ) {
    this.#cluster = cluster;
    this.#config = config;
    this.#subscriptions = subscriptions;
    this.#onChange = onChange;
  }

  /** Subscribes to `pattern` (the g and y flags dropped: `test` must not keep state). */
  start(pattern: RegExp): void {
    this.stop();
    this.#stopped = false;
    const subs = this.#subscriptions;
    subs.mode = "pattern";
    subs.pattern = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
    subs.topics = new Set();
    this.#refresh();
    this.#timer = setInterval(() => this.#refresh(), Math.max(this.#config.metadataMaxAgeMs, 1_000));
    this.#timer.unref();
  }

  /** No more refreshes (another subscription, unsubscribe, close). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #refresh(): void {
    this.#cluster.refreshMetadata(null).then(
      (metadata) => {
        const subs = this.#subscriptions;
        const pattern = subs.pattern;
        if (subs.mode !== "pattern" || pattern === null || this.#stopped) return;
        const matches = [...metadata.topics.values()]
          .filter((t) => !(this.#config.excludeInternalTopics && t.isInternal) && pattern.test(t.name))
          .map((t) => t.name)
          .sort();
        if (matches.join(",") === [...subs.topics].sort().join(",")) return;
        subs.topics = new Set(matches);
        for (const t of matches) this.#cluster.addInterest(t);
        this.#onChange();
      },
      (err: unknown) => {
        this.#cluster.logger.warn("listing topics for a pattern subscription failed", {
          error: (err as Error).message,
        });
      },
    );
  }
}
