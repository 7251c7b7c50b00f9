import { ProtocolError } from "../codec/protocol-error.js";
import { RecordBatch } from "./record-batch.js";
import {
  Attributes,
  BatchOffsets,
  CompressionType,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  type RecordBatchHeader,
  readRecordBatchHeader,
} from "./record-batch-header.js";
import { batchFramingAt, MIN_BATCH_LENGTH } from "./record-batch-reader.js";

/** Kafka error names the produce path answers with when a records field is refused. */
export type RecordBatchErrorCode =
  | "CORRUPT_MESSAGE"
  | "INVALID_RECORD"
  | "MESSAGE_TOO_LARGE"
  | "UNSUPPORTED_COMPRESSION_TYPE"
  | "INVALID_TIMESTAMP";

export interface RecordBatchLimits {
  /** Largest batch accepted, LOG_OVERHEAD included (Kafka's `max.message.bytes`); default no limit. */
  maxBatchBytes?: number;
  /** Produce v3+ allows exactly one batch per partition (INVALID_RECORD otherwise); default false. */
  requireSingleBatch?: boolean;
  /** Control batches are written by the broker only; clients get INVALID_RECORD (default false). */
  allowControlBatches?: boolean;
  /** zstd needs produce v7+; pass false for older requests (UNSUPPORTED_COMPRESSION_TYPE). Default true. */
  allowZstd?: boolean;
  /**
   * Also walk every record's framing (decompressing compressed batches): record count, offset
   * deltas 0…n-1, no trailing bytes, and per-record timestamps. Default false: headers only.
   */
  verifyRecords?: boolean;
  /** Ceiling for one decompressed records section when verifyRecords is set. */
  maxDecompressedBytes?: number;
  /**
   * CreateTime bounds (Kafka's `message.timestamp.before.max.ms` / `after.max.ms`). Without
   * verifyRecords only the header's base and max timestamps are checked.
   */
  timestamps?: { now: number; beforeMaxMs: number; afterMaxMs: number };
}

export interface ValidatedRecordBatch {
  /** Offset of the batch in the validated buffer. */
  position: number;
  /** LOG_OVERHEAD + batchLength. */
  size: number;
  header: RecordBatchHeader;
}

export type RecordBatchValidation =
  | { ok: true; batches: ValidatedRecordBatch[] }
  | { ok: false; error: RecordBatchErrorCode; message: string; position: number };

const NO_TIMESTAMP = -1;

function fail(
  error: RecordBatchErrorCode,
  message: string,
  position: number,
): Extract<RecordBatchValidation, { ok: false }> {
  return { ok: false, error, message, position };
}

/**
 * Validates a produce request's records field by walking batch headers: framing, magic 2, size,
 * CRC32C, compression id, and the rules Kafka's broker applies to client batches (lastOffsetDelta
 * + 1 = record count, no control batches, a base sequence when there is a producer id). Records
 * are only looked at with `verifyRecords`. Never throws on any input bytes: every problem is a
 * Kafka error name with a message.
 */
export function validateRecordBatches(
  buf: Buffer,
  limits: RecordBatchLimits = {},
  start = 0,
  end = buf.length,
): RecordBatchValidation {
  const batches: ValidatedRecordBatch[] = [];
  let pos = start;
  for (;;) {
    let framing: ReturnType<typeof batchFramingAt>;
    try {
      framing = batchFramingAt(buf, pos, end);
    } catch (err) {
      if (err instanceof ProtocolError) return fail("CORRUPT_MESSAGE", err.message, pos);
      throw err;
    }
    if (framing.kind === "end") break;
    if (framing.kind === "partial") return fail("CORRUPT_MESSAGE", "truncated record batch", pos);
    const header = validateBatch(buf, pos, framing.size, limits);
    if ("ok" in header) return header;
    batches.push({ position: pos, size: framing.size, header });
    pos += framing.size;
  }
  if (batches.length === 0) return fail("INVALID_RECORD", "no record batch", start);
  if (limits.requireSingleBatch && batches.length > 1) {
    return fail("INVALID_RECORD", "only one record batch per partition is allowed", batches[1].position);
  }
  return { ok: true, batches };
}

function validateBatch(
  buf: Buffer,
  pos: number,
  size: number,
  limits: RecordBatchLimits,
): RecordBatchHeader | Extract<RecordBatchValidation, { ok: false }> {
  const magic = buf.readInt8(pos + BatchOffsets.magic);
  if (magic === 0 || magic === 1)
    return fail("INVALID_RECORD", `legacy message format (magic ${magic})`, pos);
  if (magic !== 2) return fail("CORRUPT_MESSAGE", `unknown magic ${magic}`, pos);
  const batchLength = size - LOG_OVERHEAD;
  if (batchLength < MIN_BATCH_LENGTH)
    return fail("CORRUPT_MESSAGE", `batch length ${batchLength} too small`, pos);
  if (limits.maxBatchBytes !== undefined && size > limits.maxBatchBytes) {
    return fail("MESSAGE_TOO_LARGE", `batch of ${size} bytes exceeds ${limits.maxBatchBytes}`, pos);
  }
  if (!isRecordBatchCrcValid(buf, pos, batchLength)) return fail("CORRUPT_MESSAGE", "CRC32C mismatch", pos);
  const header = readRecordBatchHeader(buf, pos);
  const compression = header.attributes & Attributes.compressionMask;
  if (compression > CompressionType.Zstd) {
    return fail("UNSUPPORTED_COMPRESSION_TYPE", `unknown compression type ${compression}`, pos);
  }
  if (compression === CompressionType.Zstd && limits.allowZstd === false) {
    return fail("UNSUPPORTED_COMPRESSION_TYPE", "zstd needs produce request version 7 or later", pos);
  }
  if (header.attributes & Attributes.control && !limits.allowControlBatches) {
    return fail("INVALID_RECORD", "clients may not write control batches", pos);
  }
  const { lastOffsetDelta, recordsCount } = header;
  if (lastOffsetDelta < 0) return fail("INVALID_RECORD", `invalid lastOffsetDelta ${lastOffsetDelta}`, pos);
  if (recordsCount !== lastOffsetDelta + 1) {
    return fail(
      "INVALID_RECORD",
      `record count ${recordsCount} disagrees with lastOffsetDelta ${lastOffsetDelta}`,
      pos,
    );
  }
  if (header.producerId >= 0 && header.baseSequence < 0 && !(header.attributes & Attributes.control)) {
    return fail(
      "INVALID_RECORD",
      "a batch with a producer id needs a base sequence (control batches excepted)",
      pos,
    );
  }

  const window = limits.timestamps;
  const createTime = (header.attributes & Attributes.timestampTypeLogAppendTime) === 0;
  const outside = (t: number): boolean =>
    window !== undefined &&
    t !== NO_TIMESTAMP &&
    (t < window.now - window.beforeMaxMs || t > window.now + window.afterMaxMs);
  if (createTime && window !== undefined && !limits.verifyRecords) {
    if (outside(header.baseTimestamp) || outside(header.maxTimestamp)) {
      return fail("INVALID_TIMESTAMP", "timestamp outside the accepted range", pos);
    }
  }
  if (limits.verifyRecords) {
    const batch = new RecordBatch(buf.subarray(pos, pos + size), header);
    let badTimestamp = false;
    try {
      batch.checkRecords({ maxDecompressedBytes: limits.maxDecompressedBytes }, (t) => {
        if (outside(t)) badTimestamp = true;
      });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      const code = err.code === "UNSUPPORTED_COMPRESSION" ? "UNSUPPORTED_COMPRESSION_TYPE" : "INVALID_RECORD";
      return fail(code, err.message, pos);
    }
    if (createTime && badTimestamp)
      return fail("INVALID_TIMESTAMP", "record timestamp outside the accepted range", pos);
  }
  return header;
}
