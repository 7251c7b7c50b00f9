import { BatchOffsets, isRecordBatchCrcValid, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from "@weir/protocol";
import { MAGIC_V2 } from "./file-batch-cursor.js";
import type { BatchLocation, LogSegment } from "./log-segment.js";
import { CorruptBatchError, StorageError } from "./storage-error.js";

/** A read met a corrupt batch in `segment` at file `position` (the Log quarantines the tail). */
export type CorruptBatchListener = (
  segment: LogSegment,
  position: number,
  problem: string,
  offset: bigint,
) => void;

/** What `readSegments` reads: offsets [startOffset, end) within maxBytes, from `segments`. */
export interface SegmentsRead {
  readonly segments: readonly LogSegment[];
  readonly startOffset: number;
  /** Exclusive: no batch reaching it is returned (the high watermark or the log end offset). */
  readonly end: number;
  readonly maxBytes: number;
  readonly minOneBatch: boolean;
  readonly allocate: (size: number) => Buffer;
  readonly onCorrupt: CorruptBatchListener;
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads whole batches starting with the batch that holds `startOffset` (which may begin before
 * it), stopping before the first batch that reaches `end`, within `maxBytes` — but with
 * `minOneBatch`, at least the first batch whatever its size, so a reader always progresses. One
 * pread per segment touched, into a buffer from `allocate`. Batches beyond a segment's verified
 * prefix get their CRC checked: a corrupt one is never returned (what precedes it is; when
 * nothing does, StorageError CORRUPT) and is reported to `onCorrupt`.
 */
export function readSegments(read: SegmentsRead): Buffer {
  const { segments, startOffset, end, minOneBatch, onCorrupt } = read;
  const plans: { segment: LogSegment; position: number; length: number }[] = [];
  let remaining = Math.max(0, read.maxBytes);
  let total = 0;
  for (let i = Math.max(0, segmentIndexFor(segments, startOffset)); i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.baseOffset >= end) break;
    const first = translate(segment, startOffset, 0, onCorrupt);
    if (first === undefined) continue;
    if (first.lastOffset >= end) break;
    const next = segments[i + 1];
    let endPosition = segment.size;
    let reachedEnd = false;
    if (next === undefined || next.baseOffset > end) {
      const stop = translate(segment, end, first.position, onCorrupt);
      if (stop !== undefined) {
        endPosition = stop.position;
        reachedEnd = true;
      }
    }
    const available = endPosition - first.position;
    const length =
      plans.length === 0 && minOneBatch
        ? Math.min(available, Math.max(remaining, first.size))
        : Math.min(available, remaining);
    if (length <= 0) break;
    plans.push({ segment, position: first.position, length });
    total += length;
    remaining -= length;
    if (remaining <= 0 || reachedEnd) break;
  }
  if (total === 0) return EMPTY;

  const buf = read.allocate(total);
  let cut = 0;
  for (const plan of plans) {
    const n = plan.segment.readInto(buf, cut, plan.position, plan.length);
    const end = checkBatches(buf, cut, cut + n, plan.segment, plan.position, onCorrupt);
    if (end < 0) {
      // A corrupt batch: return what precedes it; when nothing does, the read fails.
      const bad = -end - 1;
      const position = plan.position + (bad - cut);
      cut = bad;
      if (cut > 0) break;
      throw new StorageError(
        "CORRUPT",
        `${plan.segment.path}: the batch at position ${position} is corrupt; it is not served`,
      );
    }
    const start = cut;
    cut = end;
    if (end < start + n || n < plan.length) break;
  }
  return buf.subarray(0, cut);
}

/** Index of the last segment whose base offset is at or below `offset` (-1 if none). */
function segmentIndexFor(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** segment.translateOffset, reporting a corrupt header the walk meets. */
function translate(
  segment: LogSegment,
  offset: number,
  startingPosition: number,
  onCorrupt: CorruptBatchListener,
): BatchLocation | undefined {
  try {
    return segment.translateOffset(offset, startingPosition);
  } catch (err) {
    if (err instanceof CorruptBatchError) onCorrupt(segment, err.position, err.problem, -1n);
    throw err;
  }
}

/**
 * Walks the batches in `buf[from, to)`, read from `segment` at file position `position`:
 * returns the end of the whole batches in it, or -(index of a corrupt batch) - 1. Batches
 * beyond the segment's verified prefix get their CRC checked (and extend the prefix when they
 * continue it); a corrupt one is reported.
 */
function checkBatches(
  buf: Buffer,
  from: number,
  to: number,
  segment: LogSegment,
  position: number,
  onCorrupt: CorruptBatchListener,
): number {
  let pos = from;
  while (to - pos >= RECORD_BATCH_OVERHEAD) {
    const batchLength = buf.readInt32BE(pos + BatchOffsets.batchLength);
    const size = LOG_OVERHEAD + batchLength;
    const filePosition = position + (pos - from);
    let problem: string | undefined;
    if (size < RECORD_BATCH_OVERHEAD || buf.readInt8(pos + BatchOffsets.magic) !== MAGIC_V2) {
      problem = "not a v2 batch header";
    } else if (pos + size > to) {
      break; // the read ends inside it (byte limits)
    } else if (filePosition + size > segment.verifiedBytes) {
      if (!isRecordBatchCrcValid(buf, pos, batchLength)) problem = "CRC mismatch";
      else if (filePosition <= segment.verifiedBytes) segment.markVerified(filePosition + size);
    }
    if (problem !== undefined) {
      onCorrupt(segment, filePosition, problem, buf.readBigInt64BE(pos));
      return -pos - 1;
    }
    pos += size;
  }
  return pos;
}
