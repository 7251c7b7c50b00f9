import { compressionCodec } from "../compression/registry.js";
import { crc32c } from "./crc32c.js";
import { type RecordInput, recordBodySize, writeRecord } from "./record.js";
import {
  Attributes,
  BatchOffsets,
  CompressionType,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
} from "./record-batch-header.js";
import { sizeOfVarint } from "./record-varint.js";

export interface RecordBatchOptions {
  /** Offset of the first record (default 0: producers send 0 and the broker assigns offsets). */
  baseOffset?: number;
  /** Default -1 (producers do not know it; the leader stamps it). */
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  /** Codec level (gzip 1–9, zstd -7–22); the codec's Kafka default when omitted. */
  compressionLevel?: number;
  /** Default -1 (no idempotence). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Sequence of the first record; default -1. */
  baseSequence?: number;
  transactional?: boolean;
  /**
   * When set, the batch has timestamp type LogAppendTime and this as its max timestamp (the
   * records keep their own timestamps, as Kafka's broker leaves them).
   */
  logAppendTime?: number;
  /**
   * Overrides lastOffsetDelta, for batches whose records do not reach the end of their offset
   * range (compaction, empty batches). Defaults to the last record's offset delta (0 when empty).
   */
  lastOffsetDelta?: number;
  /** Marks a control batch. Only the broker writes these; use buildControlBatch. */
  control?: boolean;
}

const NO_TIMESTAMP = -1;

/** Body sizes of the records being built and the byte lengths of their header keys (reused). */
let bodySizes = new Int32Array(1024);
const keyLengths: number[] = [];

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} ${v} is out of range`);
  return v;
}

const INT16_MIN = -(2 ** 15);
const INT16_MAX = 2 ** 15 - 1;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Builds a v2 record batch: sizes every record first, then writes header and records into one
 * buffer of the exact size (compressed batches encode the records into one scratch buffer, compress
 * it, and copy the result behind the header). Computes lastOffsetDelta, base/max timestamps and
 * the CRC32C. Throws RangeError/TypeError for arguments Kafka cannot carry.
 *
 * Base timestamp is the first record's timestamp, max timestamp the largest (or logAppendTime),
 * as Kafka's producer writes them.
 */
export function buildRecordBatch(records: readonly RecordInput[], options: RecordBatchOptions = {}): Buffer {
  const count = records.length;
  const compression = options.compression ?? CompressionType.None;
  const codec = compressionCodec(compression);
  const baseTimestamp = count > 0 ? records[0].timestamp : NO_TIMESTAMP;
  if (bodySizes.length < count) bodySizes = new Int32Array(Math.max(count, bodySizes.length * 2));
  keyLengths.length = 0;

  // Pass 1: sizes and batch-level values.
  let maxTimestamp = NO_TIMESTAMP;
  let recordsSize = 0;
  let lastDelta = -1;
  for (let i = 0; i < count; i++) {
    const record = records[i];
    const timestamp = record.timestamp;
    if (!Number.isSafeInteger(timestamp)) throw new RangeError(`record ${i} has timestamp ${timestamp}`);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const offsetDelta = record.offsetDelta ?? i;
    if (!Number.isInteger(offsetDelta) || offsetDelta <= lastDelta || offsetDelta > INT32_MAX) {
      throw new RangeError(`record ${i} has offset delta ${offsetDelta}; deltas must increase`);
    }
    lastDelta = offsetDelta;
    const body = recordBodySize(record, timestamp - baseTimestamp, offsetDelta, keyLengths);
    bodySizes[i] = body;
    recordsSize += sizeOfVarint(body) + body;
  }
  const lastOffsetDelta = options.lastOffsetDelta ?? Math.max(lastDelta, 0);
  checkInt("lastOffsetDelta", lastOffsetDelta, Math.max(lastDelta, 0), INT32_MAX);
  if (options.logAppendTime !== undefined) maxTimestamp = options.logAppendTime;

  // Pass 2: records, straight behind the header when uncompressed.
  const uncompressed = compression === CompressionType.None;
  let out = Buffer.allocUnsafe(uncompressed ? RECORD_BATCH_OVERHEAD + recordsSize : recordsSize);
  let pos = uncompressed ? RECORD_BATCH_OVERHEAD : 0;
  let keyIndex = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i];
    const before = keyIndex;
    keyIndex += record.headers?.length ?? 0;
    pos = writeRecord(
      out,
      pos,
      record,
      bodySizes[i],
      record.timestamp - baseTimestamp,
      record.offsetDelta ?? i,
      keyLengths,
      before,
    );
  }
  if (!uncompressed) {
    const compressed = codec.compress(out, options.compressionLevel);
    out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
    compressed.copy(out, RECORD_BATCH_OVERHEAD);
  }

  let attributes: number = compression;
  if (options.logAppendTime !== undefined) attributes |= Attributes.timestampTypeLogAppendTime;
  if (options.transactional) attributes |= Attributes.transactional;
  if (options.control) attributes |= Attributes.control;
  writeHeader(out, {
    baseOffset: options.baseOffset ?? 0,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
    attributes,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId: options.producerId ?? -1,
    producerEpoch: options.producerEpoch ?? -1,
    baseSequence: options.baseSequence ?? -1,
    recordsCount: count,
  });
  return out;
}

interface HeaderFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/** Writes the 61-byte header over `out` (whose length is the whole batch) and its CRC32C. */
function writeHeader(out: Buffer, h: HeaderFields): void {
  checkInt("partitionLeaderEpoch", h.partitionLeaderEpoch, INT32_MIN, INT32_MAX);
  checkInt("producerEpoch", h.producerEpoch, INT16_MIN, INT16_MAX);
  checkInt("baseSequence", h.baseSequence, INT32_MIN, INT32_MAX);
  checkInt("maxTimestamp", h.maxTimestamp, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  out.writeBigInt64BE(BigInt(checkInt("baseOffset", h.baseOffset, 0, Number.MAX_SAFE_INTEGER)), 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchOffsets.batchLength);
  out.writeInt32BE(h.partitionLeaderEpoch, BatchOffsets.partitionLeaderEpoch);
  out.writeInt8(2, BatchOffsets.magic);
  out.writeInt16BE(h.attributes, BatchOffsets.attributes);
  out.writeInt32BE(h.lastOffsetDelta, BatchOffsets.lastOffsetDelta);
  out.writeBigInt64BE(BigInt(h.baseTimestamp), BatchOffsets.baseTimestamp);
  out.writeBigInt64BE(BigInt(h.maxTimestamp), BatchOffsets.maxTimestamp);
  out.writeBigInt64BE(
    BigInt(checkInt("producerId", h.producerId, -1, Number.MAX_SAFE_INTEGER)),
    BatchOffsets.producerId,
  );
  out.writeInt16BE(h.producerEpoch, BatchOffsets.producerEpoch);
  out.writeInt32BE(h.baseSequence, BatchOffsets.baseSequence);
  out.writeInt32BE(h.recordsCount, BatchOffsets.recordsCount);
  out.writeUInt32BE(crc32c(out.subarray(BatchOffsets.attributes)), BatchOffsets.crc);
}
