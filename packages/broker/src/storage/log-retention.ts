/**
 * Retention, as a decision over the segment list (Kafka's three passes, in order): delete the
 * oldest segments whose newest timestamp is more than retention.ms old, then the oldest while
 * the log is larger than retention.bytes, then those wholly below the log start offset. Each
 * pass only takes a leading run of segments, never one holding data at or above the high
 * watermark, and never the empty active segment. cleanup.policy must contain "delete" for the
 * first two passes.
 */
import type { LogConfig } from "./log-config.js";

/** What retention needs to know of a segment. */
export interface RetainedSegment {
  readonly baseOffset: number;
  readonly size: number;
  /** The newest batch timestamp, or the file's modification time without timestamps. */
  largestTimestamp(): number;
}

export interface RetentionInput {
  readonly config: LogConfig;
  readonly now: number;
  readonly highWatermark: number;
  readonly logEndOffset: number;
  readonly logStartOffset: number;
  /** False: only the log start offset pass (after DeleteRecords). */
  readonly timeAndSize: boolean;
}

export interface RetentionDecision {
  /** How many leading segments to delete. */
  readonly count: number;
  /** The passes that took segments. */
  readonly reasons: readonly string[];
}

export function segmentsToDelete(
  segments: readonly RetainedSegment[],
  input: RetentionInput,
): RetentionDecision {
  let start = 0;
  const reasons: string[] = [];
  const pass = (
    reason: string,
    predicate: (s: RetainedSegment, next: RetainedSegment | undefined) => boolean,
  ) => {
    let i = start;
    for (; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1];
      if ((next?.baseOffset ?? input.logEndOffset) > input.highWatermark) break;
      if (next === undefined && segment.size === 0) break;
      if (!predicate(segment, next)) break;
    }
    if (i > start) reasons.push(reason);
    start = i;
  };
  const { config } = input;
  if (input.timeAndSize && config.cleanupPolicy.includes("delete")) {
    if (config.retentionMs >= 0) {
      pass("retention.ms", (s) => input.now - s.largestTimestamp() > config.retentionMs);
    }
    if (config.retentionBytes >= 0) {
      let diff = -config.retentionBytes;
      for (let i = start; i < segments.length; i++) diff += segments[i]!.size;
      pass("retention.bytes", (s) => {
        if (diff - s.size < 0) return false;
        diff -= s.size;
        return true;
      });
    }
  }
  pass("log start offset", (_, next) => next !== undefined && next.baseOffset <= input.logStartOffset);
  return { count: start, reasons };
}
