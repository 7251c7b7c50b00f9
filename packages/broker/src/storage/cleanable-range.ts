/**
 * Which part of a compacted log the cleaner may clean now, and how dirty the log is (Kafka's
 * LogCleanerManager.cleanableOffsets and cleanableRatio), as a decision over the segment list:
 *
 * - The first dirty offset is where the last cleaning stopped (the cleaner checkpoint), or the
 *   log start offset when there is no checkpoint or it no longer lies in the log.
 * - The first uncleanable offset is the lowest of: the active segment's base offset (the active
 *   segment is never cleaned), the high watermark (nothing a crash or a truncation could still take
 *   away), and the base offset of the first dirty segment holding a record newer than
 *   min.compaction.lag.ms.
 * - The dirty ratio is dirty bytes / (clean + dirty bytes), counted by whole segments: clean
 *   segments end at or before the first dirty offset, dirty ones overlap the cleanable range.
 * - max.compaction.lag.ms: when the first batch of a dirty (inactive) segment is older than it,
 *   the log is cleaned whatever its ratio.
 */
import type { LogConfig } from "./log-config.js";

/** What the range needs to know of a segment. */
export interface CleanableSegment {
  readonly baseOffset: number;
  readonly nextOffset: number;
  readonly size: number;
  /** The newest batch timestamp, or the file's modification time without timestamps. */
  largestTimestamp(): number;
  /** The max timestamp of the first batch, undefined when empty. */
  firstBatchTimestamp(): number | undefined;
}

export interface CleanableRangeInput {
  /** Oldest first; the last is the active segment. */
  readonly segments: readonly CleanableSegment[];
  readonly config: LogConfig;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** The offset below which data can no longer be truncated away (the high watermark). */
  readonly highWatermark: number;
  /** The cleaner checkpoint of the log, if any. */
  readonly checkpoint: number | undefined;
  readonly now: number;
}

export interface CleanableRange {
  readonly firstDirtyOffset: number;
  readonly firstUncleanableOffset: number;
  /** Bytes of segments wholly below the first dirty offset. */
  readonly cleanBytes: number;
  /** Bytes of segments overlapping [firstDirtyOffset, firstUncleanableOffset). */
  readonly dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes); 0 for an empty log. */
  readonly dirtyRatio: number;
  /** max.compaction.lag.ms has passed for a dirty record: clean whatever the ratio. */
  readonly compactionLagExceeded: boolean;
  /** The checkpoint lay outside the log (truncation, retention): the first dirty offset was reset. */
  readonly checkpointReset: boolean;
  /** Whether the cleaner should clean the log now. */
  readonly cleanable: boolean;
}

export function cleanableRange(input: CleanableRangeInput): CleanableRange {
  const { segments, config, logStartOffset, logEndOffset, checkpoint, now } = input;
  const checkpointValid =
    checkpoint !== undefined && checkpoint >= logStartOffset && checkpoint <= logEndOffset;
  const firstDirtyOffset = checkpointValid ? checkpoint : logStartOffset;
  const inactive = segments.slice(0, -1);
  const active = segments.at(-1);
  let firstUncleanableOffset = Math.min(active?.baseOffset ?? logEndOffset, input.highWatermark);
  const dirtyInactive = inactive.filter((s) => s.nextOffset > firstDirtyOffset);
  if (config.minCompactionLagMs > 0) {
    const young = dirtyInactive.find((s) => s.largestTimestamp() > now - config.minCompactionLagMs);
    if (young !== undefined) firstUncleanableOffset = Math.min(firstUncleanableOffset, young.baseOffset);
  }
  firstUncleanableOffset = Math.max(firstUncleanableOffset, firstDirtyOffset);

  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (const s of inactive) {
    if (s.nextOffset <= firstDirtyOffset) cleanBytes += s.size;
    else if (s.baseOffset < firstUncleanableOffset) dirtyBytes += s.size;
  }
  const total = cleanBytes + dirtyBytes;
  const dirtyRatio = total > 0 ? dirtyBytes / total : 0;

  let compactionLagExceeded = false;
  if (config.maxCompactionLagMs < Number.MAX_SAFE_INTEGER) {
    for (const s of dirtyInactive) {
      const first = s.firstBatchTimestamp();
      if (first !== undefined && first > 0 && first < now - config.maxCompactionLagMs) {
        compactionLagExceeded = true;
        break;
      }
    }
  }
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    dirtyBytes,
    dirtyRatio,
    compactionLagExceeded,
    checkpointReset: checkpoint !== undefined && !checkpointValid,
    cleanable:
      dirtyBytes > 0 &&
      firstUncleanableOffset > firstDirtyOffset &&
      (compactionLagExceeded || dirtyRatio > config.minCleanableDirtyRatio),
  };
}
