/** Longest single sleep of a waiting poll; it re-checks its state after it. */
export const MAX_WAIT_MS = 1_000;

/**
 * Lets a waiting poll sleep until something it may care about happened (records arrived, a
 * position was found, the group needs attention) or its time is up.
 */
export class Wakeup {
  #waiters: (() => void)[] = [];

  notify(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next notify() or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (Number.isFinite(ms)) {
        timer = setTimeout(wake, Math.max(0, ms));
        // The poll waiting here holds the process open (KeepAlive), not this timer.
        timer.unref();
      }
      this.#waiters.push(wake);
    });
  }
}
