/**
 * Fetch session metadata (KIP-227): the session id and epoch every fetch request (v7+) carries,
 * what they mean, and the error codes the session layer answers with.
 *
 * - epoch 0 (INITIAL): a full fetch that asks for a new session (closing `sessionId` if non-zero);
 * - epoch -1 (FINAL): a full fetch without a session (closing `sessionId` if non-zero); requests
 *   older than v7 carry sessionId 0 and epoch -1 by default, so they are sessionless;
 * - any other epoch: an incremental fetch on an existing session, which must carry exactly the
 *   epoch the broker expects next.
 */

/** The session id meaning "no session". */
export const INVALID_SESSION_ID = 0;

/** The epoch of a full fetch request that creates a new session. */
export const INITIAL_EPOCH = 0;

/** The epoch of a full fetch request that creates no session. */
export const FINAL_EPOCH = -1;

const INT32_MAX = 2_147_483_647;

/** The epoch after `prevEpoch`: FINAL stays FINAL, Int32.MAX wraps to 1 (never back to INITIAL). */
export function nextEpoch(prevEpoch: number): number {
  if (prevEpoch < 0) return FINAL_EPOCH;
  if (prevEpoch === INT32_MAX) return 1;
  return prevEpoch + 1;
}

/** True when a request with this epoch is a full fetch (it lists every partition it wants). */
export function isFullFetch(sessionEpoch: number): boolean {
  return sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH;
}

/**
 * The Kafka error codes the fetch session layer produces or reasons about (values from Kafka's
 * error table). Kept here so this module does not depend on the generated codecs.
 */
export const FetchSessionErrorCode = {
  NONE: 0,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  INVALID_FETCH_SESSION_EPOCH: 71,
  UNKNOWN_TOPIC_ID: 100,
  INCONSISTENT_TOPIC_ID: 103,
  FETCH_SESSION_TOPIC_ID_ERROR: 106,
} as const;

/** A request-level error: the whole fetch is answered with it, no partitions and session id 0. */
export type FetchSessionError =
  | "FETCH_SESSION_ID_NOT_FOUND"
  | "INVALID_FETCH_SESSION_EPOCH"
  | "FETCH_SESSION_TOPIC_ID_ERROR";
