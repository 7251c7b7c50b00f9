import type { FetchSession } from "./fetch-session.js";
import {
  type FetchSessionError,
  FetchSessionErrorCode,
  INVALID_SESSION_ID,
  nextEpoch,
} from "./fetch-session-metadata.js";
import type {
  FetchPartitionResult,
  FetchPartitionToRead,
  FetchSessionPartition,
} from "./fetch-session-partition.js";

/**
 * The session part of a fetch response. `partitions` holds the results to send, keyed by the
 * FetchPartitionToRead they answer, in the order the handler added them.
 */
export interface FetchSessionResponse<R extends FetchPartitionResult> {
  readonly errorCode: number;
  readonly sessionId: number;
  readonly partitions: ReadonlyMap<FetchPartitionToRead, R>;
}

/**
 * How one fetch request is served, once its session metadata has been checked (Kafka's
 * FetchContext). Use: read every partition of `partitionsToRead()`, put each result in a Map
 * keyed by the partition object it answers, then call `buildResponse` once.
 */
export interface FetchContext {
  /** sessionless: epoch -1 (or an incremental request that emptied its session); full: epoch 0; incremental: epoch > 0. */
  readonly kind: "sessionless" | "full" | "incremental";
  /** How many partitions `partitionsToRead()` yields. */
  readonly partitionCount: number;
  /**
   * The partitions to read: the request's partitions in request order (full and sessionless
   * fetches; a partition listed twice appears once, with its last parameters), or every partition
   * of the session in session order (incremental fetches). A fresh iterator on every call.
   */
  partitionsToRead(): IterableIterator<FetchPartitionToRead>;
  /**
   * The response: for full and sessionless fetches every result; for an incremental fetch only the
   * results with something to say — `results` is pruned in place and returned — and the session
   * remembers what was sent. A full fetch creates the session here (if the cache has room) and
   * answers its id, or 0. Results keyed by objects not from `partitionsToRead()` are not cached
   * (and are dropped from incremental responses).
   */
  buildResponse<R extends FetchPartitionResult>(
    results: Map<FetchPartitionToRead, R>,
    now: number,
  ): FetchSessionResponse<R>;
  /** The empty response sent instead when the request is throttled by a quota; changes nothing. */
  throttledResponse(): FetchSessionResponse<never>;
}

const NO_PARTITIONS: ReadonlyMap<FetchPartitionToRead, never> = new Map<FetchPartitionToRead, never>();

/** The response to a request whose session metadata was rejected by `newContext`. */
export function fetchSessionErrorResponse(error: FetchSessionError): FetchSessionResponse<never> {
  return {
    errorCode: FetchSessionErrorCode[error],
    sessionId: INVALID_SESSION_ID,
    partitions: NO_PARTITIONS,
  };
}

/** A full fetch that creates no session (epoch -1, or an incremental request that forgot everything). */
export class SessionlessFetchContext implements FetchContext {
  readonly kind = "sessionless";
  readonly #partitions: ReadonlyMap<string, FetchSessionPartition>;

  constructor(partitions: ReadonlyMap<string, FetchSessionPartition>) {
    this.#partitions = partitions;
  }

  get partitionCount(): number {
    return this.#partitions.size;
  }

  partitionsToRead(): IterableIterator<FetchPartitionToRead> {
    return this.#partitions.values();
  }

  buildResponse<R extends FetchPartitionResult>(
    results: Map<FetchPartitionToRead, R>,
    _now: number,
  ): FetchSessionResponse<R> {
    return { errorCode: FetchSessionErrorCode.NONE, sessionId: INVALID_SESSION_ID, partitions: results };
  }

  throttledResponse(): FetchSessionResponse<never> {
    return {
      errorCode: FetchSessionErrorCode.NONE,
      sessionId: INVALID_SESSION_ID,
      partitions: NO_PARTITIONS,
    };
  }
}

/** What a full fetch context needs from the cache. */
export interface FetchSessionCreator {
  maybeCreateSession(
    now: number,
    privileged: boolean,
    size: number,
    usesTopicIds: boolean,
    createPartitions: () => Map<string, FetchSessionPartition>,
  ): number;
}

/** A full fetch (epoch 0) that tries to create a new session when its response is built. */
export class FullFetchContext implements FetchContext {
  readonly kind = "full";
  readonly #cache: FetchSessionCreator;
  readonly #partitions: ReadonlyMap<string, FetchSessionPartition>;
  readonly #usesTopicIds: boolean;
  readonly #privileged: boolean;

  constructor(
    cache: FetchSessionCreator,
    partitions: ReadonlyMap<string, FetchSessionPartition>,
    usesTopicIds: boolean,
    privileged: boolean,
  ) {
    this.#cache = cache;
    this.#partitions = partitions;
    this.#usesTopicIds = usesTopicIds;
    this.#privileged = privileged;
  }

  get partitionCount(): number {
    return this.#partitions.size;
  }

  partitionsToRead(): IterableIterator<FetchPartitionToRead> {
    return this.#partitions.values();
  }

  buildResponse<R extends FetchPartitionResult>(
    results: Map<FetchPartitionToRead, R>,
    now: number,
  ): FetchSessionResponse<R> {
    const sessionId = this.#cache.maybeCreateSession(
      now,
      this.#privileged,
      results.size,
      this.#usesTopicIds,
      () => {
        // The session holds the partitions answered, in response order, with what was sent.
        const cached = new Map<string, FetchSessionPartition>();
        for (const [item, result] of results) {
          const own = this.#partitions.get(item.key);
          if (own !== item) continue;
          own.maybeUpdateResponseData(result, true);
          cached.set(own.key, own);
        }
        return cached;
      },
    );
    return { errorCode: FetchSessionErrorCode.NONE, sessionId, partitions: results };
  }

  throttledResponse(): FetchSessionResponse<never> {
    return {
      errorCode: FetchSessionErrorCode.NONE,
      sessionId: INVALID_SESSION_ID,
      partitions: NO_PARTITIONS,
    };
  }
}

/** An incremental fetch (epoch > 0) on an existing session, whose epoch has already advanced. */
export class IncrementalFetchContext implements FetchContext {
  readonly kind = "incremental";
  readonly #session: FetchSession;
  readonly #requestEpoch: number;

  constructor(session: FetchSession, requestEpoch: number) {
    this.#session = session;
    this.#requestEpoch = requestEpoch;
  }

  get sessionId(): number {
    return this.#session.id;
  }

  get partitionCount(): number {
    return this.#session.size;
  }

  partitionsToRead(): IterableIterator<FetchPartitionToRead> {
    return this.#session.partitions.values();
  }

  buildResponse<R extends FetchPartitionResult>(
    results: Map<FetchPartitionToRead, R>,
    _now: number,
  ): FetchSessionResponse<R> {
    const session = this.#session;
    // Another request on this session may have been accepted while this one was being read.
    if (session.epoch !== nextEpoch(this.#requestEpoch)) {
      return {
        errorCode: FetchSessionErrorCode.INVALID_FETCH_SESSION_EPOCH,
        sessionId: session.id,
        partitions: NO_PARTITIONS,
      };
    }
    const partitions = session.partitions;
    for (const [item, result] of results) {
      const cached = partitions.get(item.key);
      if (cached !== item) {
        results.delete(item);
      } else if (!cached.maybeUpdateResponseData(result, true)) {
        results.delete(item);
      } else if (result.recordsSizeInBytes > 0) {
        // Partitions that returned records go to the back, so the others get their turn at the
        // response size limit next time.
        partitions.delete(cached.key);
        partitions.set(cached.key, cached);
      }
    }
    return { errorCode: FetchSessionErrorCode.NONE, sessionId: session.id, partitions: results };
  }

  throttledResponse(): FetchSessionResponse<never> {
    const session = this.#session;
    const errorCode =
      session.epoch === nextEpoch(this.#requestEpoch)
        ? FetchSessionErrorCode.NONE
        : FetchSessionErrorCode.INVALID_FETCH_SESSION_EPOCH;
    return { errorCode, sessionId: session.id, partitions: NO_PARTITIONS };
  }
}
