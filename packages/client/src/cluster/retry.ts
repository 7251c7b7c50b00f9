import { isRetriableError, TimeoutError } from "../errors.js";
import { backoffMs, sleep } from "./backoff.js";

export interface RetryOptions {
  /** Epoch milliseconds after which no further attempt starts. */
  readonly deadline: number;
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  /** Names the operation in the timeout error. */
  readonly what: string;
  /** Called before each retry with the error that caused it (e.g. to refresh metadata). */
  readonly onRetriable?: (err: unknown, attempt: number) => void;
  /** Stops retrying when this returns a reason (the client is closing). */
  readonly aborted?: () => Error | undefined;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retriable error, or the deadline passes.
 * Retriable failures are retried with backoff; when time runs out the last retriable error is
 * thrown as it is (its Kafka name says what kept failing), or a TimeoutError when the deadline
 * passed before any attempt could finish.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let last: unknown;
  for (let n = 1; ; n++) {
    const aborted = options.aborted?.();
    if (aborted !== undefined) throw aborted;
    if (n > 1 && Date.now() >= options.deadline) break;
    try {
      return await attempt(n);
    } catch (err) {
      if (!isRetriableError(err)) throw err;
      last = err;
      options.onRetriable?.(err, n);
      const delay = backoffMs(n, options.backoffMs, options.backoffMaxMs);
      if (Date.now() + delay >= options.deadline) break;
      await sleep(delay);
    }
  }
  if (last instanceof Error) {
    last.message = `${last.message} (gave up retrying ${options.what} after its time budget ran out)`;
    throw last;
  }
  throw new TimeoutError(`${options.what} did not complete in time`);
}
