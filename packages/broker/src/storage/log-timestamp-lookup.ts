import type { LogSegment } from "./log-segment.js";
import { offsetOfMaxTimestamp } from "./record-timestamps.js";

/** A ListOffsets answer: an offset, the timestamp that found it (-1 for none), its leader epoch. */
export interface TimestampAndOffset {
  readonly offset: number;
  readonly timestamp: number;
  readonly leaderEpoch: number;
}

/**
 * The earliest record at or above `logStartOffset` whose timestamp is at or after `timestamp`
 * (>= 0), or undefined when there is none: the first segment whose newest timestamp reaches it
 * answers from its time index and batches.
 */
export function offsetAtOrAfterTimestamp(
  segments: readonly LogSegment[],
  timestamp: number,
  logStartOffset: number,
): TimestampAndOffset | undefined {
  for (const segment of segments) {
    if (segment.maxTimestampSoFar < timestamp || segment.nextOffset <= logStartOffset) continue;
    const found = segment.findOffsetByTimestamp(timestamp, logStartOffset);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The record with the largest timestamp at or above `logStartOffset` (undefined for an empty log). */
export function maxTimestampOffset(
  segments: readonly LogSegment[],
  logStartOffset: number,
): TimestampAndOffset | undefined {
  let best: LogSegment | undefined;
  for (const segment of segments) {
    if (segment.nextOffset <= logStartOffset) continue;
    if (
      segment.maxTimestampSoFar >= 0 &&
      (best === undefined || segment.maxTimestampSoFar > best.maxTimestampSoFar)
    ) {
      best = segment;
    }
  }
  if (best === undefined) return undefined;
  const location = best.translateOffset(best.offsetOfMaxTimestampSoFar);
  if (location === undefined) return undefined;
  const offset = offsetOfMaxTimestamp(best.readBatch(location));
  return {
    offset: Math.max(offset, logStartOffset),
    timestamp: best.maxTimestampSoFar,
    leaderEpoch: location.partitionLeaderEpoch,
  };
}
