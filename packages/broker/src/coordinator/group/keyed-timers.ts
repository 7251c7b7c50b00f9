import type { Cancel, Scheduler } from "./scheduler.js";

/**
 * Named one-shot timers over a Scheduler: scheduling a key replaces the timer already under that
 * key, as Kafka's coordinator timer does. A task returns the records it produced; they go to
 * `onFired`, which applies and emits them.
 */
export class KeyedTimers<R> {
  readonly #timers = new Map<string, Cancel>();
  readonly #scheduler: Scheduler;
  readonly #onFired: (records: R[]) => void;

  constructor(scheduler: Scheduler, onFired: (records: R[]) => void) {
    this.#scheduler = scheduler;
    this.#onFired = onFired;
  }

  schedule(key: string, delayMs: number, task: () => R[]): void {
    this.cancel(key);
    const cancel = this.#scheduler.schedule(delayMs, () => {
      if (this.#timers.get(key) !== cancel) return;
      this.#timers.delete(key);
      const records = task();
      if (records.length > 0) this.#onFired(records);
    });
    this.#timers.set(key, cancel);
  }

  cancel(key: string): void {
    const cancel = this.#timers.get(key);
    if (cancel === undefined) return;
    this.#timers.delete(key);
    cancel();
  }

  has(key: string): boolean {
    return this.#timers.has(key);
  }

  get size(): number {
    return this.#timers.size;
  }

  cancelAll(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }
}

/** Unambiguous timer keys whatever characters the ids contain. */
export function heartbeatKey(groupId: string, memberId: string): string {
  return JSON.stringify(["heartbeat", groupId, memberId]);
}

export function joinKey(groupId: string): string {
  return JSON.stringify(["join", groupId]);
}

export function syncKey(groupId: string): string {
  return JSON.stringify(["sync", groupId]);
}

/** A consumer group member's session: it is fenced when no heartbeat arrives in time. */
export function consumerSessionKey(groupId: string, memberId: string): string {
  return JSON.stringify(["consumer-session", groupId, memberId]);
}

/** A consumer group member's deadline to revoke partitions. */
export function consumerRebalanceKey(groupId: string, memberId: string): string {
  return JSON.stringify(["consumer-rebalance", groupId, memberId]);
}
