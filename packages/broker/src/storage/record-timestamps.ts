/**
 * Record-level timestamp lookups inside one record batch, for ListOffsets: the index and the
 * batch headers find the batch, this finds the record. Uncompressed batches are read record by
 * record (length, attributes, timestampDelta, offsetDelta — nothing else is decoded); for
 * compressed batches the batch's base offset is answered, which is never past the right record
 * (a consumer starting there sees a few earlier records, never misses one).
 */
import { Attributes, BatchOffsets, RECORD_BATCH_OVERHEAD } from "@weir/protocol";
import { readInt64 } from "./file-batch-cursor.js";

interface Cursor {
  pos: number;
}

/** A zigzag varint of up to 10 bytes as a number, or undefined past `end` / when malformed. */
function readZigzag(buf: Buffer, c: Cursor, end: number): number | undefined {
  let raw = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (c.pos >= end) return undefined;
    const b = buf[c.pos++]!;
    raw += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }
  return undefined;
}

/**
 * Calls `visit(timestamp, offset)` for each record of an uncompressed CreateTime batch until it
 * returns true; returns false when the records could not be walked (compressed, LogAppendTime
 * or malformed), so the caller falls back to batch-level answers.
 */
function forEachRecordTimestamp(
  batch: Buffer,
  visit: (timestamp: number, offset: number) => boolean,
): boolean {
  const attributes = batch.readInt16BE(BatchOffsets.attributes);
  if (
    (attributes & Attributes.compressionMask) !== 0 ||
    (attributes & Attributes.timestampTypeLogAppendTime) !== 0
  ) {
    return false;
  }
  const baseOffset = readInt64(batch, BatchOffsets.baseOffset);
  const baseTimestamp = readInt64(batch, BatchOffsets.baseTimestamp);
  const count = batch.readInt32BE(BatchOffsets.recordsCount);
  const end = batch.length;
  const c: Cursor = { pos: RECORD_BATCH_OVERHEAD };
  for (let i = 0; i < count; i++) {
    const length = readZigzag(batch, c, end);
    if (length === undefined || length <= 0) return false;
    const next = c.pos + length;
    if (next > end) return false;
    c.pos += 1; // record attributes
    const timestampDelta = readZigzag(batch, c, next);
    const offsetDelta = readZigzag(batch, c, next);
    if (timestampDelta === undefined || offsetDelta === undefined) return false;
    if (visit(baseTimestamp + timestampDelta, baseOffset + offsetDelta)) return true;
    c.pos = next;
  }
  return true;
}

/**
 * The first record of `batch` (a whole v2 batch) whose timestamp is at or after `target`: its
 * offset and timestamp. When records cannot be inspected, the batch's base offset and max
 * timestamp. Undefined when the batch's max timestamp is below `target`.
 */
export function firstRecordAtOrAfterTimestamp(
  batch: Buffer,
  target: number,
): { offset: number; timestamp: number } | undefined {
  const baseOffset = readInt64(batch, BatchOffsets.baseOffset);
  const maxTimestamp = readInt64(batch, BatchOffsets.maxTimestamp);
  if (maxTimestamp < target) return undefined;
  let found: { offset: number; timestamp: number } | undefined;
  const walked = forEachRecordTimestamp(batch, (timestamp, offset) => {
    if (timestamp >= target) {
      found = { offset, timestamp };
      return true;
    }
    return false;
  });
  return walked && found !== undefined ? found : { offset: baseOffset, timestamp: maxTimestamp };
}

/**
 * The offset of the first record of `batch` carrying the batch's max timestamp; the batch's
 * last offset when records cannot be inspected.
 */
export function offsetOfMaxTimestamp(batch: Buffer): number {
  const baseOffset = readInt64(batch, BatchOffsets.baseOffset);
  const lastOffset = baseOffset + batch.readInt32BE(BatchOffsets.lastOffsetDelta);
  const attributes = batch.readInt16BE(BatchOffsets.attributes);
  if ((attributes & Attributes.timestampTypeLogAppendTime) !== 0) return baseOffset;
  const max = readInt64(batch, BatchOffsets.maxTimestamp);
  let found: number | undefined;
  const walked = forEachRecordTimestamp(batch, (timestamp, offset) => {
    if (timestamp === max) {
      found = offset;
      return true;
    }
    return false;
  });
  return walked && found !== undefined ? found : lastOffset;
}
