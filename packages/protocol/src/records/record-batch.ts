import { ProtocolError } from "../codec/protocol-error.js";
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from "../compression/codec.js";
import { compressionCodec } from "../compression/registry.js";
import { decodeRecord, MIN_RECORD_SIZE, type Record, type SkimmedRecord, skimRecord } from "./record.js";
import {
  Attributes,
  CompressionType,
  RECORD_BATCH_OVERHEAD,
  type RecordBatchHeader,
} from "./record-batch-header.js";
import type { Cursor } from "./record-varint.js";

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export interface RecordsOptions {
  /** Ceiling for the decompressed records section (ProtocolError CORRUPT_RECORD past it). */
  maxDecompressedBytes?: number;
}

/**
 * One complete, validated-by-the-reader v2 batch: its header and its bytes, with the records
 * decoded only when asked for. `buffer` is a slice of the input (zero copy); so are the keys and
 * values of uncompressed records, which therefore stay valid only as long as the input does.
 */
export class RecordBatch {
  constructor(
    /** Exactly the batch: LOG_OVERHEAD + batchLength bytes. */
    readonly buffer: Buffer,
    readonly header: RecordBatchHeader,
  ) {}

  get sizeInBytes(): number {
    return this.buffer.length;
  }
  get baseOffset(): number {
    return this.header.baseOffset;
  }
  get lastOffset(): number {
    return this.header.baseOffset + this.header.lastOffsetDelta;
  }
  /** Offset the next batch of the log starts at. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  /** The compression id (attributes & 0x07); 5–7 are undefined and fail when records are read. */
  get compression(): CompressionType {
    return this.header.attributes & Attributes.compressionMask;
  }
  get timestampType(): TimestampType {
    return this.header.attributes & Attributes.timestampTypeLogAppendTime
      ? TimestampType.LogAppendTime
      : TimestampType.CreateTime;
  }
  get isTransactional(): boolean {
    return (this.header.attributes & Attributes.transactional) !== 0;
  }
  get isControl(): boolean {
    return (this.header.attributes & Attributes.control) !== 0;
  }
  /** Set by the log cleaner: baseTimestamp then holds the delete horizon. */
  get hasDeleteHorizon(): boolean {
    return (this.header.attributes & Attributes.deleteHorizon) !== 0;
  }
  get hasProducerId(): boolean {
    return this.header.producerId >= 0;
  }

  /** The records section, decompressed when the batch is compressed. */
  recordsData(options: RecordsOptions = {}): Buffer {
    const section = this.buffer.subarray(RECORD_BATCH_OVERHEAD);
    const compression = this.compression;
    if (compression === CompressionType.None) return section;
    return compressionCodec(compression).decompress(
      section,
      options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    );
  }

  /**
   * The records, decoded one at a time. Decompression happens when iteration starts. Malformed
   * records, a count that disagrees with the header, or bytes left after the last record throw
   * ProtocolError CORRUPT_RECORD; an undefined compression id throws UNSUPPORTED_COMPRESSION.
   */
  *records(options: RecordsOptions = {}): Generator<Record, void, undefined> {
    const data = this.recordsData(options);
    const { baseOffset, baseTimestamp, maxTimestamp } = this.header;
    const count = checkedCount(this.header.recordsCount, data.length);
    const logAppendTime = this.timestampType === TimestampType.LogAppendTime ? maxTimestamp : null;
    const c: Cursor = { pos: 0 };
    for (let i = 0; i < count; i++) {
      yield decodeRecord(data, c, data.length, baseOffset, baseTimestamp, logAppendTime);
    }
    if (c.pos !== data.length)
      throw new ProtocolError("bytes left after the batch's last record", "CORRUPT_RECORD");
  }

  /**
   * Walks every record's framing without materializing it and checks it against the header: the
   * count, offset deltas 0, 1, 2 … ending at lastOffsetDelta, and no bytes left over. Calls
   * `onTimestamp` (if given) with each record's timestamp. Throws like records().
   */
  checkRecords(options: RecordsOptions = {}, onTimestamp?: (timestamp: number) => void): void {
    const data = this.recordsData(options);
    const count = checkedCount(this.header.recordsCount, data.length);
    const c: Cursor = { pos: 0 };
    const skimmed: SkimmedRecord = { timestampDelta: 0, offsetDelta: 0 };
    for (let i = 0; i < count; i++) {
      skimRecord(data, c, data.length, skimmed);
      if (skimmed.offsetDelta !== i) {
        throw new ProtocolError(`record ${i} has offset delta ${skimmed.offsetDelta}`, "CORRUPT_RECORD");
      }
      onTimestamp?.(this.header.baseTimestamp + skimmed.timestampDelta);
    }
    if (c.pos !== data.length)
      throw new ProtocolError("bytes left after the batch's last record", "CORRUPT_RECORD");
    if (count > 0 && count - 1 !== this.header.lastOffsetDelta) {
      throw new ProtocolError("last record's offset delta differs from lastOffsetDelta", "CORRUPT_RECORD");
    }
  }
}

function checkedCount(count: number, bytes: number): number {
  if (count < 0 || count * MIN_RECORD_SIZE > bytes) {
    throw new ProtocolError(`record count ${count} does not fit in ${bytes} bytes`, "CORRUPT_RECORD");
  }
  return count;
}
