/**
 * Kafka's exponential backoff: `initial * 2^(attempt-1)`, capped at `max`, with ±20% jitter so
 * clients that failed together do not come back together. `attempt` counts from 1.
 */
export function backoffMs(
  attempt: number,
  initial: number,
  max: number,
  random: () => number = Math.random,
): number {
  if (initial <= 0) return 0;
  const base = Math.min(max, initial * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const jitter = 1 + (random() * 2 - 1) * 0.2;
  return Math.max(0, Math.round(base * jitter));
}

/**
 * A promise that resolves after `ms`. Unref'd, like every timer of the client: an operation the
 * application waits on keeps the process alive through its client's KeepAlive, not its backoffs.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
