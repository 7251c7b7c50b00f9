/** Never fires in practice; the timer exists only to be a ref'd handle. */
const HOLD_INTERVAL_MS = 2 ** 30;

/**
 * Keeps the Node.js process running while the application waits on a client.
 *
 * The client's own timers (retry and reconnect backoffs, linger, metadata refreshes, heartbeats,
 * auto commit) are unref'd: a client with nothing to do must never hold a process open. A promise
 * the application awaits is different: a script awaiting `producer.send()` or
 * `admin.createTopics()` against a dead broker must see it settle (with its timeout error) rather
 * than exit 0 in the middle of a backoff. Each client counts its pending operations here; while
 * there is at least one, a single ref'd timer keeps the event loop alive — the part the Java
 * client's non-daemon application thread plays while it blocks on a future.
 */
export class KeepAlive {
  #pending = 0;
  #handle: NodeJS.Timeout | undefined;

  /** Operations holding the process open now. */
  get pending(): number {
    return this.#pending;
  }

  /** One more pending operation; pair every call with one `release()`. */
  hold(): void {
    if (this.#pending++ === 0) this.#handle = setInterval(() => undefined, HOLD_INTERVAL_MS);
  }

  release(): void {
    if (this.#pending === 0) return;
    if (--this.#pending === 0) {
      clearInterval(this.#handle);
      this.#handle = undefined;
    }
  }

  /** Runs `operation`, holding the process open until its promise settles. */
  async during<T>(operation: () => Promise<T>): Promise<T> {
    this.hold();
    try {
      return await operation();
    } finally {
      this.release();
    }
  }
}
