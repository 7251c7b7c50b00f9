/**
 * One record batch through the log cleaner: which of its records stay, and the bytes that go into
 * the cleaned segment. A batch whose records all stay is copied as it is; one that loses some is
 * rebuilt with @weir/protocol's buildRecordBatch, keeping what Kafka keeps — each record's own
 * offset (gaps are fine: consumers skip them), the batch's base offset and last offset delta (so
 * the producer's sequence range still matches), producer id, epoch, base sequence, transactional
 * bit, partition leader epoch, timestamp type and codec, and the records' timestamps, keys,
 * values and headers. A batch that loses every record is dropped, unless the cleaner must keep it
 * (the last batch of a producer, the last batch of a cleaned segment): then it stays as an empty
 * batch — a header and no records, with its original offsets and timestamps — as Kafka keeps the
 * last batch of an active producer.
 *
 * Control batches (transaction markers) are kept untouched: Weir has no transactions yet, so there
 * is no aborted data to remove and no marker can be dropped safely.
 *
 * Under LogAppendTime the rebuilt records carry the batch's append time as their timestamp (what
 * every consumer reads for them anyway); their CreateTime values are not kept.
 */
import {
  Attributes,
  BatchOffsets,
  buildRecordBatch,
  CompressionType,
  crc32c,
  type Record,
  RecordBatch,
  type RecordBatchHeader,
  type RecordInput,
} from "@weir/protocol";
import { writeInt64 } from "./file-batch-cursor.js";

/** What becomes of a batch. */
export type CleanedBatch =
  | { readonly kind: "keep" }
  | { readonly kind: "drop"; readonly records: number }
  | { readonly kind: "rewrite"; readonly bytes: Buffer; readonly records: number; readonly kept: number };

const KEEP: CleanedBatch = Object.freeze({ kind: "keep" });

/** Decompressed records of one batch may not grow past this (the cleaner reads trusted data). */
const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/**
 * Applies `retain` to every record of the batch in `bytes` (exactly one batch, CRC checked by the
 * caller) whose header is `header`. `keepEmpty`: keep the batch as an empty one if no record stays.
 */
export function cleanBatch(
  bytes: Buffer,
  header: RecordBatchHeader,
  retain: (record: Record) => boolean,
  keepEmpty: boolean,
): CleanedBatch {
  if (header.attributes & Attributes.control) return KEEP;
  const batch = new RecordBatch(bytes, header);
  const kept: RecordInput[] = [];
  let count = 0;
  for (const record of batch.records({ maxDecompressedBytes: MAX_DECOMPRESSED_BYTES })) {
    count++;
    if (!retain(record)) continue;
    kept.push({
      key: record.key,
      value: record.value,
      headers: record.headers,
      timestamp: record.timestamp,
      offsetDelta: record.offset - header.baseOffset,
    });
  }
  if (kept.length === count) return KEEP;
  if (kept.length === 0 && !keepEmpty) return { kind: "drop", records: count };
  const logAppendTime = header.attributes & Attributes.timestampTypeLogAppendTime;
  const rebuilt = buildRecordBatch(kept, {
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: kept.length === 0 ? CompressionType.None : header.attributes & Attributes.compressionMask,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    transactional: (header.attributes & Attributes.transactional) !== 0,
    ...(logAppendTime ? { logAppendTime: header.maxTimestamp } : {}),
  });
  if (kept.length === 0) keepTimestamps(rebuilt, header);
  return { kind: "rewrite", bytes: rebuilt, records: count, kept: kept.length };
}

/** An empty batch keeps the original timestamps (segment.ms, retention and the time index use them). */
function keepTimestamps(batch: Buffer, header: RecordBatchHeader): void {
  writeInt64(batch, header.baseTimestamp, BatchOffsets.baseTimestamp);
  writeInt64(batch, header.maxTimestamp, BatchOffsets.maxTimestamp);
  batch.writeUInt32BE(crc32c(batch.subarray(BatchOffsets.attributes)), BatchOffsets.crc);
}
