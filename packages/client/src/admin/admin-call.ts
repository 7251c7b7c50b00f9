import { ErrorCode } from "@weir/protocol";
import { backoffMs, sleep } from "../cluster/backoff.js";
import type { Cluster } from "../cluster/cluster.js";
import type { AdminConfig } from "../config/options-table.js";
import { asKafkaError, ClientClosedError, KafkaError, TimeoutError } from "../errors.js";

/** Per item of a call: its result, or the error it failed with. */
export type Outcomes<R> = Map<number, R | KafkaError>;

/** Codes an admin call does not retry although Kafka calls them retriable: the answer is final. */
const FINAL_IN_ADMIN: ReadonlySet<number> = new Set([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

/** Codes after which the next attempt should see fresh metadata (a leader or controller moved). */
const REFRESH_ON: ReadonlySet<number> = new Set([
  ErrorCode.NOT_CONTROLLER,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.FENCED_LEADER_EPOCH,
]);

function retriableHere(err: KafkaError): boolean {
  return err.retriable && !(err.code !== null && FINAL_IN_ADMIN.has(err.code));
}

/**
 * Runs an admin operation over `count` items until each has a result or a final error, within the
 * call's time budget. `attempt` gets the indexes still pending and returns an outcome for each;
 * items with a retriable error (and every pending item when `attempt` throws a retriable error)
 * are tried again after a backoff, with fresh metadata when the error suggests it. Throws the
 * first final error (its message counts the others); otherwise resolves with results in order.
 */
export async function runAdminCall<R>(
  cluster: Cluster,
  config: AdminConfig,
  what: string,
  count: number,
  attempt: (pending: readonly number[]) => Promise<Outcomes<R>>,
  timeoutMs?: number,
): Promise<R[]> {
  const deadline = Date.now() + (timeoutMs ?? config.defaultApiTimeoutMs);
  const results = new Array<R>(count);
  const failures = new Map<number, KafkaError>();
  let pending = [...Array(count).keys()];
  for (let n = 1; pending.length > 0; n++) {
    if (cluster.closed) throw new ClientClosedError("the admin client is closed");
    const retry: number[] = [];
    let last: KafkaError | undefined;
    let refresh = false;
    try {
      const outcomes = await attempt(pending);
      for (const i of pending) {
        const outcome = outcomes.get(i);
        if (outcome === undefined) {
          failures.set(
            i,
            new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `${what}: the response left out an item`),
          );
        } else if (outcome instanceof KafkaError) {
          if (retriableHere(outcome)) {
            retry.push(i);
            last = outcome;
            if (outcome.code !== null && REFRESH_ON.has(outcome.code)) refresh = true;
          } else {
            failures.set(i, outcome);
          }
        } else {
          results[i] = outcome;
        }
      }
    } catch (err) {
      const error = asKafkaError(err, what);
      if (!retriableHere(error)) {
        for (const i of pending) failures.set(i, error);
        break;
      }
      retry.push(...pending);
      last = error;
      refresh = error.code !== null && REFRESH_ON.has(error.code);
    }
    pending = retry;
    if (pending.length === 0) break;
    const delay = backoffMs(n, config.retryBackoffMs, config.retryBackoffMaxMs);
    if (Date.now() + delay >= deadline) {
      const reason = last === undefined ? "" : `; last error: ${last.message}`;
      for (const i of pending) {
        failures.set(
          i,
          new TimeoutError(
            `${what} did not complete within ${timeoutMs ?? config.defaultApiTimeoutMs} ms${reason}`,
            {
              cause: last,
              retriable: false,
            },
          ),
        );
      }
      break;
    }
    await sleep(delay);
    if (refresh) await cluster.refreshMetadata().catch(() => undefined);
  }
  if (failures.size > 0) {
    const [first, ...others] = [...failures.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
    if (others.length > 0)
      first.message = `${first.message} (and ${others.length} more failure(s): ${others.map((e) => e.name).join(", ")})`;
    throw first;
  }
  return results;
}
