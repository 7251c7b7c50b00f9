// Producing through calls of a fixed number of messages each with a fixed number of calls
// outstanding: kafkajs's producer.send() (one call is one Produce request: kafkajs does not batch
// by itself), and @platformatic/kafka's producer.send() with --platformatic-produce send.

/** Messages per call, and calls outstanding at once. */
export const MESSAGES_PER_CALL = 1000;
export const CALLS_OUTSTANDING = 8;

/**
 * Calls `send(from, count)` (a promise) for consecutive chunks of `messages` messages, at most
 * CALLS_OUTSTANDING at a time; resolves once every call resolved, rejects with the first failure.
 */
export async function windowedCalls(messages, send) {
  const outstanding = new Set();
  for (let from = 0; from < messages; from += MESSAGES_PER_CALL) {
    const call = send(from, Math.min(MESSAGES_PER_CALL, messages - from)).finally(() =>
      outstanding.delete(call),
    );
    outstanding.add(call);
    if (outstanding.size >= CALLS_OUTSTANDING) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
}
