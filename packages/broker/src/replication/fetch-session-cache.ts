import { addRequestPartitions, FetchSession } from "./fetch-session.js";
import {
  type FetchContext,
  FullFetchContext,
  IncrementalFetchContext,
  SessionlessFetchContext,
} from "./fetch-session-context.js";
import {
  type FetchSessionError,
  FINAL_EPOCH,
  INITIAL_EPOCH,
  INVALID_SESSION_ID,
  isFullFetch,
  nextEpoch,
} from "./fetch-session-metadata.js";
import type { FetchSessionPartition } from "./fetch-session-partition.js";
import type { FetchContextOptions, FetchSessionRequest } from "./fetch-session-request.js";

/** Kafka's `max.incremental.fetch.session.cache.slots` default. */
export const DEFAULT_MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS = 1000;
/** Kafka's `min.incremental.fetch.session.eviction.ms` default. */
export const DEFAULT_MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS = 120_000;

export interface FetchSessionCacheOptions {
  /** `max.incremental.fetch.session.cache.slots`: how many sessions the broker keeps. */
  readonly maxSlots?: number;
  /** `min.incremental.fetch.session.eviction.ms`: how long a session is safe from eviction. */
  readonly evictionMs?: number;
  /** Uniform random numbers in [0, 1), for session ids; Math.random unless injected. */
  readonly random?: () => number;
}

const INT32_MAX = 2_147_483_647;
/** Session ids are drawn from [1, Int32.MAX - 1], as Kafka does. */
const SESSION_ID_RANGE = INT32_MAX - 1;

/**
 * The broker's incremental fetch sessions (KIP-227) and the entry point of the fetch path:
 * `newContext` checks a request's session id and epoch and says how to serve it.
 *
 * The cache holds at most `maxSlots` sessions. A new session that finds it full may take the slot
 * of (1) the least recently used session, if that was unused for longer than `evictionMs`;
 * otherwise (2) the least valuable evictable session, if that is worth less than the new one.
 * Value orders by (privileged, partition count, id): a follower's session outranks any consumer's
 * and a bigger session outranks a smaller one, and the new session (id 0) loses ties. Evictable by
 * anyone are sessions that were older than `evictionMs` when last used; a privileged newcomer may
 * also evict any consumer session. Sessions have no timers: an unused session stays until a new
 * one needs its slot, so memory is bounded by the slots and the partitions requests listed.
 *
 * Sans-I/O: time comes in as `now` arguments, randomness through the injected source.
 */
export class FetchSessionCache {
  readonly #maxSlots: number;
  readonly #evictionMs: number;
  readonly #random: () => number;
  readonly #sessions = new Map<number, FetchSession>();
  #totalPartitions = 0;
  #evictions = 0;

  constructor(options: FetchSessionCacheOptions = {}) {
    this.#maxSlots = options.maxSlots ?? DEFAULT_MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS;
    this.#evictionMs = options.evictionMs ?? DEFAULT_MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS;
    this.#random = options.random ?? Math.random;
  }

  /** NumIncrementalFetchSessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** NumIncrementalFetchPartitionsCached. */
  get totalPartitions(): number {
    return this.#totalPartitions;
  }

  /** How many sessions were evicted to make room (IncrementalFetchSessionEvictionsPerSec counts these). */
  get evictions(): number {
    return this.#evictions;
  }

  get(sessionId: number): FetchSession | undefined {
    return this.#sessions.get(sessionId);
  }

  /**
   * Decides how to serve a fetch request, or rejects its session metadata:
   * - epoch -1: sessionless full fetch; session `sessionId` (if any) is closed;
   * - epoch 0: full fetch; session `sessionId` (if any) is closed and `buildResponse` tries to
   *   create a new one;
   * - otherwise an incremental fetch: FETCH_SESSION_ID_NOT_FOUND for an unknown session,
   *   INVALID_FETCH_SESSION_EPOCH for an unexpected epoch, FETCH_SESSION_TOPIC_ID_ERROR when the
   *   request uses topic ids and the session does not (or the reverse). Else the request's
   *   partitions are added or updated, forgotten ones removed, and the expected epoch advances.
   *   An incremental request that leaves its session empty closes it and is served sessionless.
   */
  newContext(
    request: FetchSessionRequest,
    options: FetchContextOptions,
    now: number,
  ): FetchContext | FetchSessionError {
    const { sessionId, sessionEpoch } = request;
    if (isFullFetch(sessionEpoch)) {
      if (sessionId !== INVALID_SESSION_ID) this.remove(sessionId);
      const partitions = new Map<string, FetchSessionPartition>();
      addRequestPartitions(partitions, request.topics, options.usesTopicIds, options.topicName);
      return sessionEpoch === FINAL_EPOCH
        ? new SessionlessFetchContext(partitions)
        : new FullFetchContext(this, partitions, options.usesTopicIds, options.isFromFollower);
    }
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return "FETCH_SESSION_ID_NOT_FOUND";
    if (session.epoch !== sessionEpoch) return "INVALID_FETCH_SESSION_EPOCH";
    if (session.usesTopicIds !== options.usesTopicIds) return "FETCH_SESSION_TOPIC_ID_ERROR";
    session.update(request.topics, request.forgottenTopicsData, options.topicName);
    if (session.size === 0) {
      this.remove(sessionId);
      const partitions = new Map<string, FetchSessionPartition>();
      addRequestPartitions(partitions, request.topics, options.usesTopicIds, options.topicName);
      return new SessionlessFetchContext(partitions);
    }
    this.touch(session, now);
    session.epoch = nextEpoch(session.epoch);
    if (session.usesTopicIds) session.resolveTopicNames(options.topicName);
    return new IncrementalFetchContext(session, sessionEpoch);
  }

  /**
   * Creates a session if there is a free slot or one can be evicted for it; returns its id, or
   * INVALID_SESSION_ID (0) when the session is not worth a slot. `createPartitions` is only called
   * when the session is created.
   */
  maybeCreateSession(
    now: number,
    privileged: boolean,
    size: number,
    usesTopicIds: boolean,
    createPartitions: () => Map<string, FetchSessionPartition>,
  ): number {
    if (this.#sessions.size >= this.#maxSlots && !this.#tryEvict(privileged, size, now)) {
      return INVALID_SESSION_ID;
    }
    const session = new FetchSession(
      this.#newSessionId(),
      privileged,
      usesTopicIds,
      createPartitions(),
      now,
      nextEpoch(INITIAL_EPOCH),
    );
    this.#sessions.set(session.id, session);
    this.touch(session, now);
    return session.id;
  }

  /** Closes a session; returns it, or undefined if there was none with this id. */
  remove(sessionId: number): FetchSession | undefined {
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return undefined;
    this.#sessions.delete(sessionId);
    if (session.cachedSize > 0) this.#totalPartitions -= session.cachedSize;
    session.cachedSize = -1;
    return session;
  }

  /** Marks a session used at `now` and re-accounts its size and evictability. */
  touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    if (session.cachedSize !== -1) this.#totalPartitions -= session.cachedSize;
    session.cachedSize = session.size;
    this.#totalPartitions += session.cachedSize;
    const old = now - session.creationMs > this.#evictionMs;
    session.evictableByAll = old;
    session.evictableByPrivileged = old || !session.privileged;
  }

  #tryEvict(privileged: boolean, size: number, now: number): boolean {
    let leastRecentlyUsed: FetchSession | undefined;
    let leastValuable: FetchSession | undefined;
    for (const s of this.#sessions.values()) {
      if (
        leastRecentlyUsed === undefined ||
        s.lastUsedMs < leastRecentlyUsed.lastUsedMs ||
        (s.lastUsedMs === leastRecentlyUsed.lastUsedMs && s.id < leastRecentlyUsed.id)
      ) {
        leastRecentlyUsed = s;
      }
      if (privileged ? s.evictableByPrivileged : s.evictableByAll) {
        if (
          leastValuable === undefined ||
          compareValue(
            s.privileged,
            s.cachedSize,
            s.id,
            leastValuable.privileged,
            leastValuable.cachedSize,
            leastValuable.id,
          ) < 0
        ) {
          leastValuable = s;
        }
      }
    }
    if (leastRecentlyUsed === undefined) return false;
    let victim: FetchSession | undefined;
    if (now - leastRecentlyUsed.lastUsedMs > this.#evictionMs) {
      victim = leastRecentlyUsed;
    } else if (
      leastValuable !== undefined &&
      compareValue(
        privileged,
        size,
        0,
        leastValuable.privileged,
        leastValuable.cachedSize,
        leastValuable.id,
      ) >= 0
    ) {
      victim = leastValuable;
    }
    if (victim === undefined) return false;
    this.remove(victim.id);
    this.#evictions++;
    return true;
  }

  /** A random id in [1, Int32.MAX - 1] not in use; on a collision, the next free one. */
  #newSessionId(): number {
    let id = 1 + (Math.floor(this.#random() * SESSION_ID_RANGE) % SESSION_ID_RANGE);
    if (!(id >= 1)) id = 1; // a broken random source (NaN, negative) still yields a valid id
    while (this.#sessions.has(id)) id = id === SESSION_ID_RANGE ? 1 : id + 1;
    return id;
  }
}

/** Orders sessions by worth: (privileged, size, id), false before true, ascending. */
function compareValue(
  aPrivileged: boolean,
  aSize: number,
  aId: number,
  bPrivileged: boolean,
  bSize: number,
  bId: number,
): number {
  if (aPrivileged !== bPrivileged) return aPrivileged ? 1 : -1;
  if (aSize !== bSize) return aSize - bSize;
  return aId - bId;
}
