import { crc32c } from "./crc32c.js";

/**
 * Fixed layout of the record batch v2 header (magic 2), as documented by Kafka:
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 * producerId int64 | producerEpoch int16 | baseSequence int32 | recordsCount int32
 * The CRC32C covers everything from `attributes` to the end of the batch, so the broker can
 * rewrite baseOffset and partitionLeaderEpoch in place without recomputing it.
 */
export const BatchOffsets = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const;

/** Bytes before the records: the whole header. */
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: the part not counted by batchLength. */
export const LOG_OVERHEAD = 12;

export const Attributes = {
  compressionMask: 0x07,
  timestampTypeLogAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** The header fields of one batch, read without touching its records. */
export interface RecordBatchHeader {
  baseOffset: number;
  /** Bytes after the batchLength field; the whole batch is LOG_OVERHEAD + batchLength. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

/**
 * Reads the header of the batch at `pos`. Offsets, timestamps and producer ids are int64 on the
 * wire; JavaScript numbers hold them exactly up to 2^53, far beyond any offset a log reaches, and
 * the callers that need exact int64 (validation of client-supplied values) check the range.
 */
export function readRecordBatchHeader(buf: Buffer, pos = 0): RecordBatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(pos + BatchOffsets.baseOffset)),
    batchLength: buf.readInt32BE(pos + BatchOffsets.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(pos + BatchOffsets.partitionLeaderEpoch),
    magic: buf.readInt8(pos + BatchOffsets.magic),
    crc: buf.readUInt32BE(pos + BatchOffsets.crc),
    attributes: buf.readInt16BE(pos + BatchOffsets.attributes),
    lastOffsetDelta: buf.readInt32BE(pos + BatchOffsets.lastOffsetDelta),
    baseTimestamp: Number(buf.readBigInt64BE(pos + BatchOffsets.baseTimestamp)),
    maxTimestamp: Number(buf.readBigInt64BE(pos + BatchOffsets.maxTimestamp)),
    producerId: Number(buf.readBigInt64BE(pos + BatchOffsets.producerId)),
    producerEpoch: buf.readInt16BE(pos + BatchOffsets.producerEpoch),
    baseSequence: buf.readInt32BE(pos + BatchOffsets.baseSequence),
    recordsCount: buf.readInt32BE(pos + BatchOffsets.recordsCount),
  };
}

/** Whether the stored CRC32C of the batch at `pos` (of `LOG_OVERHEAD + batchLength` bytes) matches. */
export function isRecordBatchCrcValid(buf: Buffer, pos: number, batchLength: number): boolean {
  const end = pos + LOG_OVERHEAD + batchLength;
  const stored = buf.readUInt32BE(pos + BatchOffsets.crc);
  return crc32c(buf.subarray(pos + BatchOffsets.attributes, end)) === stored;
}

/** Rewrites the base offset in place; the CRC does not cover it, so the batch stays valid. */
export function setRecordBatchBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos + BatchOffsets.baseOffset);
}
