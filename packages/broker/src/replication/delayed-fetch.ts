import type { Partition } from "./partition.js";

/**
 * A fetch waiting for data (Kafka's DelayedFetch): parked on the partitions it reads until enough
 * new data is committed, its max wait passes, or the broker shuts down. `isSatisfied` is asked on
 * every high-watermark advance of a watched partition; it decides whether min bytes are met.
 */
export class DelayedFetch {
  #done = false;
  #timer: NodeJS.Timeout | undefined;
  readonly promise: Promise<void>;
  #resolve!: () => void;

  constructor(
    readonly partitions: readonly Partition[],
    readonly isSatisfied: () => boolean,
    maxWaitMs: number,
    readonly purgatory: DelayedFetchPurgatory,
  ) {
    this.promise = new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
    this.#timer = setTimeout(() => this.complete(), maxWaitMs);
    purgatory.watch(this);
  }

  get done(): boolean {
    return this.#done;
  }

  tryComplete(): void {
    if (!this.#done && this.isSatisfied()) this.complete();
  }

  complete(): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.purgatory.unwatch(this);
    this.#resolve();
  }
}

/** The fetches parked per partition, woken when that partition's high watermark moves. */
export class DelayedFetchPurgatory {
  readonly #watchers = new Map<Partition, Set<DelayedFetch>>();

  watch(op: DelayedFetch): void {
    for (const p of op.partitions) {
      let set = this.#watchers.get(p);
      if (set === undefined) {
        set = new Set();
        this.#watchers.set(p, set);
      }
      set.add(op);
    }
  }

  unwatch(op: DelayedFetch): void {
    for (const p of op.partitions) {
      const set = this.#watchers.get(p);
      if (set === undefined) continue;
      set.delete(op);
      if (set.size === 0) this.#watchers.delete(p);
    }
  }

  /** Called when a partition's high watermark advances (or it stops being served here). */
  checkAndComplete(partition: Partition, force = false): void {
    const set = this.#watchers.get(partition);
    if (set === undefined) return;
    for (const op of [...set]) {
      if (force) op.complete();
      else op.tryComplete();
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.#watchers.values()) n += set.size;
    return n;
  }

  /** Completes every parked fetch (shutdown). */
  completeAll(): void {
    for (const set of [...this.#watchers.values()]) for (const op of [...set]) op.complete();
  }
}
