/**
 * One timer that calls `fire` at the earliest time it was armed for: the sender's next linger or
 * retry, the fetcher's next retry, the producer's next max.block.ms deadline. Unref'd: it never
 * holds the process open by itself — a pending operation does that through its KeepAlive.
 */
export class DeadlineTimer {
  readonly #fire: () => void;
  #timer: NodeJS.Timeout | undefined;
  #at = Number.POSITIVE_INFINITY;

  constructor(fire: () => void) {
    this.#fire = fire;
  }

  /** When it fires next (epoch ms), Infinity when it is not armed. */
  get at(): number {
    return this.#at;
  }

  /** Fires at `at` (epoch ms), unless it is armed for an earlier time already. */
  arm(at: number): void {
    if (at >= this.#at) return;
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#at = Number.POSITIVE_INFINITY;
        this.#fire();
      },
      Math.max(0, at - Date.now()),
    );
    this.#timer.unref();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
  }
}
