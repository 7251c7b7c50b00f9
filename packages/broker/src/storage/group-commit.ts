/**
 * Group commit: the scheduling of fsyncs for one log. At most one sync runs at a time. A request
 * for durability up to an offset is answered by the sync in flight when that sync covers it;
 * otherwise it joins the next sync, which starts on the next event-loop turn when nothing runs
 * (so every append of the current turn shares it) or as soon as the running one ends (so
 * every append made while it ran shares the next). Many appends, one fsync.
 */

/** One sync, started by the owner: what it covers and when it is done. */
export interface SyncRun {
  /** Every offset below this is durable once `done` resolves. */
  readonly target: number;
  readonly done: Promise<void>;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A background request may have no listener; the owner records failures itself.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export class GroupCommit {
  #inFlight: { readonly target: number; readonly waiters: Deferred } | undefined;
  #queued: Deferred | undefined;
  #scheduled = false;
  #failure: unknown;
  #hasFailed = false;

  constructor(
    /** Starts a sync of everything appended so far. */
    private readonly startSync: () => SyncRun,
    /** The offset below which everything is already durable. */
    private readonly durableOffset: () => number,
  ) {}

  /** Resolves once every offset below `target` is durable; rejects when the sync fails. */
  request(target: number): Promise<void> {
    if (this.#hasFailed) return Promise.reject(this.#failure);
    if (target <= this.durableOffset()) return Promise.resolve();
    if (this.#inFlight !== undefined && this.#inFlight.target >= target)
      return this.#inFlight.waiters.promise;
    this.#queued ??= deferred();
    const promise = this.#queued.promise;
    if (this.#inFlight === undefined && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#start();
      });
    }
    return promise;
  }

  /** The offset the running sync covers, or undefined when none runs. */
  get inFlightTarget(): number | undefined {
    return this.#inFlight?.target;
  }

  /** Resolves when no sync is running (whatever its outcome). */
  async idle(): Promise<void> {
    while (this.#inFlight !== undefined) await this.#inFlight.waiters.promise.catch(() => {});
  }

  /** Fails every queued and future request with `err`. */
  fail(err: unknown): void {
    if (this.#hasFailed) return;
    this.#hasFailed = true;
    this.#failure = err;
    const queued = this.#queued;
    this.#queued = undefined;
    queued?.reject(err);
  }

  #start(): void {
    const waiters = this.#queued;
    if (this.#inFlight !== undefined || waiters === undefined) return;
    this.#queued = undefined;
    if (this.#hasFailed) {
      waiters.reject(this.#failure);
      return;
    }
    let run: SyncRun;
    try {
      run = this.startSync();
    } catch (err) {
      this.fail(err);
      waiters.reject(err);
      return;
    }
    this.#inFlight = { target: run.target, waiters };
    run.done.then(
      () => {
        this.#inFlight = undefined;
        waiters.resolve();
        if (this.#queued !== undefined) this.#start();
      },
      (err: unknown) => {
        this.#inFlight = undefined;
        this.fail(err);
        waiters.reject(err);
      },
    );
  }
}
