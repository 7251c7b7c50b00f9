/**
 * The last look the log takes at an append before writing it (Kafka's LogValidator, for batches
 * the produce path already validated). The batch checks themselves — framing, magic v2, CRC32C,
 * max.message.bytes, offset deltas against the record count — are the protocol package's
 * `validateRecordBatches`, the same the produce path runs; what is left here is what only the log
 * knows: on the leader, offsets are assigned from the log end offset by rewriting each batch's base
 * offset and partition leader epoch in place (the CRC does not cover them) and, under
 * LogAppendTime, the max timestamp and timestamp-type bit are set and the CRC recomputed (it covers
 * those); replicated batches must follow the log end offset.
 */
import {
  Attributes,
  BatchOffsets,
  crc32c,
  type RecordBatchErrorCode,
  validateRecordBatches,
} from "@weir/protocol";
import { readInt64, writeInt64 } from "./file-batch-cursor.js";
import { StorageError, type StorageErrorCode } from "./storage-error.js";

export interface AppendOptions {
  /**
   * True on the leader: offsets are assigned from the log end offset and every batch gets
   * `leaderEpoch` as its partitionLeaderEpoch. False for replicated data: the batches keep their
   * offsets (which must follow the log end offset) and epochs.
   */
  readonly assignOffsets: boolean;
  /** The append time for message.timestamp.type=LogAppendTime (default: the clock's now). */
  readonly logAppendTime?: number;
  readonly leaderEpoch: number;
}

export interface LogAppendInfo {
  readonly firstOffset: number;
  readonly lastOffset: number;
  /** The largest batch max timestamp appended (the append time under LogAppendTime). */
  readonly maxTimestamp: number;
  /** The last offset of the first batch carrying `maxTimestamp`. */
  readonly offsetOfMaxTimestamp: number;
  /** The append time stamped into the batches, or -1 under CreateTime. */
  readonly logAppendTime: number;
  readonly logStartOffset: number;
  /** Bytes appended. */
  readonly validBytes: number;
  /** Records appended (sum of the batches' record counts). */
  readonly recordCount: number;
}

export interface ValidationContext {
  /** The log, for messages. */
  readonly name: string;
  /** The log end offset: the first offset to assign, or the lowest a replicated batch may have. */
  readonly nextOffset: number;
  readonly maxMessageBytes: number;
  /** The append time to stamp, or -1 to keep the batches' timestamps. */
  readonly logAppendTime: number;
  /** The latest epoch in the leader epoch cache. */
  readonly latestEpoch: number;
}

export interface ValidatedAppend {
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly offsetOfMaxTimestamp: number;
  readonly recordCount: number;
  /** New leader epochs and the offset each starts at, in order (usually none). */
  readonly newEpochs: readonly (readonly [epoch: number, startOffset: number])[];
}

const NO_EPOCHS: readonly (readonly [number, number])[] = [];

function storageCode(error: RecordBatchErrorCode): StorageErrorCode {
  return error === "MESSAGE_TOO_LARGE" ? "RECORD_TOO_LARGE" : "CORRUPT";
}

/** Validates `records` and, with `assignOffsets`, assigns their offsets in place. */
export function validateAndAssignOffsets(
  records: Buffer,
  opts: AppendOptions,
  ctx: ValidationContext,
): ValidatedAppend {
  if (records.length === 0) throw new StorageError("INVALID_ARGUMENT", `empty append to ${ctx.name}`);
  const validation = validateRecordBatches(records, {
    maxBatchBytes: ctx.maxMessageBytes,
    // Control batches (transaction markers) are written by the broker; the produce path refuses
    // them from clients before the log sees them.
    allowControlBatches: true,
  });
  if (!validation.ok) {
    throw new StorageError(
      storageCode(validation.error),
      `append to ${ctx.name}: ${validation.message} (batch at byte ${validation.position})`,
    );
  }
  let next = ctx.nextOffset;
  let firstOffset = -1;
  let lastOffset = -1;
  let maxTimestamp = -1;
  let offsetOfMaxTimestamp = -1;
  let recordCount = 0;
  let newEpochs: [number, number][] | undefined;
  let lastEpoch = ctx.latestEpoch;
  for (const { position: pos, size, header } of validation.batches) {
    let baseOffset: number;
    let epoch: number;
    if (opts.assignOffsets) {
      baseOffset = next;
      writeInt64(records, baseOffset, pos + BatchOffsets.baseOffset);
      records.writeInt32BE(opts.leaderEpoch, pos + BatchOffsets.partitionLeaderEpoch);
      epoch = opts.leaderEpoch;
      if (ctx.logAppendTime >= 0) {
        records.writeInt16BE(
          header.attributes | Attributes.timestampTypeLogAppendTime,
          pos + BatchOffsets.attributes,
        );
        writeInt64(records, ctx.logAppendTime, pos + BatchOffsets.maxTimestamp);
        records.writeUInt32BE(
          crc32c(records.subarray(pos + BatchOffsets.attributes, pos + size)),
          pos + BatchOffsets.crc,
        );
      }
    } else {
      baseOffset = header.baseOffset;
      if (baseOffset < next) {
        throw new StorageError(
          "UNEXPECTED_APPEND_OFFSET",
          `batch with base offset ${baseOffset} does not follow offset ${next - 1} in ${ctx.name}`,
        );
      }
      epoch = header.partitionLeaderEpoch;
    }
    const batchLast = baseOffset + header.lastOffsetDelta;
    const batchMaxTimestamp = readInt64(records, pos + BatchOffsets.maxTimestamp);
    if (batchMaxTimestamp > maxTimestamp) {
      maxTimestamp = batchMaxTimestamp;
      offsetOfMaxTimestamp = batchLast;
    }
    if (epoch > lastEpoch) {
      newEpochs ??= [];
      newEpochs.push([epoch, baseOffset]);
      lastEpoch = epoch;
    }
    if (firstOffset < 0) firstOffset = baseOffset;
    lastOffset = batchLast;
    recordCount += header.recordsCount;
    next = batchLast + 1;
  }
  return {
    firstOffset,
    lastOffset,
    maxTimestamp,
    offsetOfMaxTimestamp,
    recordCount,
    newEpochs: newEpochs ?? NO_EPOCHS,
  };
}
