import type { Uuid } from "@weir/protocol";
import { FetchSessionErrorCode } from "./fetch-session-metadata.js";
import { type FetchSessionRequestPartition, int64ToNumber } from "./fetch-session-request.js";

/** One partition a fetch must read, as the fetch context hands it to the fetch handler. */
export interface FetchPartitionToRead {
  /** The partition's key in its context and session; results are matched to it by identity. */
  readonly key: string;
  /**
   * The topic name, or undefined when the request named the topic by an id this broker does not
   * know: answer such a partition with UNKNOWN_TOPIC_ID. Once a session has resolved a name it
   * keeps it, like Kafka; the handler must still check that the partition's current topic id is
   * `topicId` (when that is not the zero uuid) and answer INCONSISTENT_TOPIC_ID if the topic was
   * recreated under another id.
   */
  readonly topic: string | undefined;
  /** The topic id the fetcher named; the zero uuid for requests before v13. */
  readonly topicId: Uuid;
  readonly partition: number;
  readonly fetchOffset: number;
  /** The fetcher's own log start offset (followers), -1 when unknown. */
  readonly logStartOffset: number;
  readonly maxBytes: number;
  /** -1 when the fetcher did not send one. */
  readonly currentLeaderEpoch: number;
  /** -1 when the fetcher did not send one. */
  readonly lastFetchedEpoch: number;
}

/** What the fetch session layer needs to know about one partition's fetch result. */
export interface FetchPartitionResult {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  /** Bytes of record batches returned for the partition (0 when none). */
  readonly recordsSizeInBytes: number;
  /** The preferred read replica (KIP-392); -1 or absent when there is none. */
  readonly preferredReadReplica?: number;
  /** Set (epoch or endOffset >= 0) when the follower's log diverges and must truncate. */
  readonly divergingEpoch?: { readonly epoch: number; readonly endOffset: number } | null;
}

/** The result of a partition that could not be read: every offset -1, no records. */
export function fetchPartitionErrorResult(errorCode: number): FetchPartitionResult {
  return { errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, recordsSizeInBytes: 0 };
}

/**
 * A partition of a fetch session (Kafka's CachedPartition): the request parameters last sent by
 * the fetcher, and the offsets last sent back to it, so an incremental response can leave out
 * partitions with nothing new to say.
 *
 * Two deliberate differences from Kafka, both of which can only add a partition to a response,
 * never drop one: the last stable offset is tracked too (read_committed fetchers learn of an LSO
 * move even if the high watermark stood still), and an error in the response that creates the
 * session also resets the cached high watermark, as errors in incremental responses do.
 */
export class FetchSessionPartition implements FetchPartitionToRead {
  topic: string | undefined;
  fetchOffset: number;
  logStartOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  /** The high watermark last sent; -1 when never sent, or after an error so it is sent again. */
  sentHighWatermark = -1;
  sentLastStableOffset = -1;
  /** The broker's log start offset last sent. */
  sentLogStartOffset = -1;

  constructor(
    readonly key: string,
    topic: string | undefined,
    readonly topicId: Uuid,
    readonly partition: number,
    request: FetchSessionRequestPartition,
  ) {
    this.topic = topic;
    this.fetchOffset = int64ToNumber(request.fetchOffset, -1);
    this.logStartOffset = int64ToNumber(request.logStartOffset, -1);
    this.maxBytes = request.partitionMaxBytes;
    this.currentLeaderEpoch = request.currentLeaderEpoch ?? -1;
    this.lastFetchedEpoch = request.lastFetchedEpoch ?? -1;
  }

  /** Takes the parameters of an incremental request that lists this partition again. */
  updateRequestParams(request: FetchSessionRequestPartition): void {
    this.fetchOffset = int64ToNumber(request.fetchOffset, -1);
    this.logStartOffset = int64ToNumber(request.logStartOffset, -1);
    this.maxBytes = request.partitionMaxBytes;
    this.currentLeaderEpoch = request.currentLeaderEpoch ?? -1;
    this.lastFetchedEpoch = request.lastFetchedEpoch ?? -1;
  }

  /**
   * Whether an incremental response must include this partition's result: new records, a changed
   * high watermark, last stable offset or log start offset, an error, a preferred read replica or
   * a diverging epoch. With `update`, also records what is being sent (after an error the cached
   * high watermark becomes -1, so the partition is sent again once the error clears).
   */
  maybeUpdateResponseData(result: FetchPartitionResult, update: boolean): boolean {
    let mustRespond = result.recordsSizeInBytes > 0;
    if (this.sentHighWatermark !== result.highWatermark) {
      mustRespond = true;
      if (update) this.sentHighWatermark = result.highWatermark;
    }
    if (this.sentLastStableOffset !== result.lastStableOffset) {
      mustRespond = true;
      if (update) this.sentLastStableOffset = result.lastStableOffset;
    }
    if (this.sentLogStartOffset !== result.logStartOffset) {
      mustRespond = true;
      if (update) this.sentLogStartOffset = result.logStartOffset;
    }
    if (result.preferredReadReplica !== undefined && result.preferredReadReplica >= 0) mustRespond = true;
    const diverging = result.divergingEpoch;
    if (diverging != null && (diverging.epoch >= 0 || diverging.endOffset >= 0)) mustRespond = true;
    if (result.errorCode !== FetchSessionErrorCode.NONE) {
      mustRespond = true;
      if (update) this.sentHighWatermark = -1;
    }
    return mustRespond;
  }
}
