import { ErrorCode } from "@weir/protocol";
import { backoffMs, sleep } from "../cluster/backoff.js";
import type { Cluster } from "../cluster/cluster.js";
import type { AdminConfig } from "../config/options-table.js";
import { asKafkaError, brokerError, ClientClosedError, KafkaError, TimeoutError } from "../errors.js";

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

/** A call on a single item (listing topics, describing the cluster): its result or its error. */
export async function runAdminCallOnce<R>(
  cluster: Cluster,
  config: AdminConfig,
  what: string,
  attempt: () => Promise<R | KafkaError>,
  timeoutMs?: number,
): Promise<R> {
  const [result] = await runAdminCall(
    cluster,
    config,
    what,
    1,
    async () => new Map([[0, await attempt()]]),
    timeoutMs,
  );
  return result;
}

/**
 * Sends one request per target (a broker, a partition leader, a group coordinator) at once and
 * gathers their outcomes into `options.out` (or a new map). A request that fails as a whole (a
 * dead connection, a timeout) gives its error to each of its items, so that runAdminCall retries
 * only those; `options.onFailure` sees them first (to forget a coordinator, for instance).
 */
export async function sendPerTarget<T, R>(
  targets: Iterable<readonly [T, readonly number[]]>,
  send: (target: T, indexes: readonly number[]) => Promise<Outcomes<R>>,
  options: { out?: Outcomes<R>; onFailure?: (indexes: readonly number[]) => void } = {},
): Promise<Outcomes<R>> {
  const { out = new Map(), onFailure } = options;
  await Promise.all(
    [...targets].map(async ([target, indexes]) => {
      try {
        for (const [i, r] of await send(target, indexes)) out.set(i, r);
      } catch (err) {
        if (!(err instanceof KafkaError)) throw err;
        onFailure?.(indexes);
        for (const i of indexes) out.set(i, err);
      }
    }),
  );
  return out;
}

/** What a per-item answer inside an admin response carries. */
interface ItemAnswer {
  readonly errorCode: number;
  readonly errorMessage?: string | null;
}

/** Names what failed in the error of an answer, and where. */
interface FailureContext {
  readonly what: string;
  readonly topic?: string;
  readonly partition?: number;
}

/**
 * The outcomes of items from the answers of one response: `answerOf` finds an item's answer (none:
 * no outcome, and runAdminCall fails the item), an error code becomes a KafkaError named after it
 * (with the broker's message), any other answer the item's result.
 */
export function outcomesOf<A extends ItemAnswer, R>(
  indexes: readonly number[],
  answerOf: (i: number) => A | undefined,
  failure: (i: number, answer: A) => FailureContext,
  result: (answer: A, i: number) => R,
): Outcomes<R> {
  const out: Outcomes<R> = new Map();
  for (const i of indexes) {
    const answer = answerOf(i);
    if (answer === undefined) continue;
    if (answer.errorCode === ErrorCode.NONE) {
      out.set(i, result(answer, i));
      continue;
    }
    const { what, ...where } = failure(i, answer);
    out.set(i, brokerError(answer.errorCode, what, { message: answer.errorMessage ?? null, ...where }));
  }
  return out;
}
