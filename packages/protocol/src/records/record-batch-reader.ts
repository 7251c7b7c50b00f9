import { ProtocolError } from "../codec/protocol-error.js";
import { RecordBatch } from "./record-batch.js";
import {
  BatchOffsets,
  isRecordBatchCrcValid,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  readRecordBatchHeader,
} from "./record-batch-header.js";

/** Bytes up to and including the magic byte, which sits at offset 16 in every message format. */
export const HEADER_SIZE_UP_TO_MAGIC = BatchOffsets.magic + 1;
/** Smallest size field any message format allows (a magic 0 message with null key and value). */
export const MIN_MESSAGE_SIZE = 14;
/** Smallest batchLength of a v2 batch: the header after the length field. */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;

export interface RecordBatchReaderOptions {
  /** Check each batch's CRC32C before handing it out (default true). */
  verifyCrc?: boolean;
}

export type BatchFraming =
  | { kind: "end" }
  /** An incomplete batch at the end of the input (normal at the tail of a fetch response). */
  | { kind: "partial" }
  | { kind: "batch"; size: number };

/**
 * Classifies the bytes at `pos`: end of input, a partial batch at the tail, or a complete message
 * of `size` bytes. Throws CORRUPT_RECORD for a size field no message format allows. Reads only
 * the size field, so it works for any magic.
 */
export function batchFramingAt(buf: Buffer, pos: number, end = buf.length): BatchFraming {
  const remaining = end - pos;
  if (remaining <= 0) return { kind: "end" };
  if (remaining < HEADER_SIZE_UP_TO_MAGIC) return { kind: "partial" };
  const length = buf.readInt32BE(pos + BatchOffsets.batchLength);
  if (length < MIN_MESSAGE_SIZE) {
    throw new ProtocolError(`record batch length ${length} is below the minimum`, "CORRUPT_RECORD");
  }
  if (length > remaining - LOG_OVERHEAD) return { kind: "partial" };
  return { kind: "batch", size: LOG_OVERHEAD + length };
}

/**
 * Iterates the v2 batches of a records field (a fetch response's or a produce request's), one
 * complete batch at a time, checking the magic byte, the minimum size and (by default) the CRC32C.
 * Records are not touched; each RecordBatch decodes its own lazily.
 *
 * An incomplete batch at the end stops iteration cleanly with `partialTail` set (brokers cut fetch
 * responses at a size limit, not at a batch boundary). Malformed input throws ProtocolError:
 * UNSUPPORTED_VERSION for the legacy message formats (magic 0 and 1, read by legacy-message-set.ts),
 * CORRUPT_RECORD for everything else.
 */
export class RecordBatchReader implements IterableIterator<RecordBatch> {
  readonly #buf: Buffer;
  readonly #end: number;
  readonly #verifyCrc: boolean;
  #pos: number;
  #partialTail = false;

  constructor(buf: Buffer, options: RecordBatchReaderOptions = {}, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
    this.#verifyCrc = options.verifyCrc ?? true;
  }

  /** Offset of the first byte not yet consumed: the end of the last batch handed out. */
  get position(): number {
    return this.#pos;
  }

  /** Whether iteration stopped at an incomplete batch (its bytes start at `position`). */
  get partialTail(): boolean {
    return this.#partialTail;
  }

  /** The next batch, or null at the end of the input or at a partial tail. */
  nextBatch(): RecordBatch | null {
    const buf = this.#buf;
    const pos = this.#pos;
    const framing = batchFramingAt(buf, pos, this.#end);
    if (framing.kind !== "batch") {
      this.#partialTail = framing.kind === "partial";
      return null;
    }
    const magic = buf.readInt8(pos + BatchOffsets.magic);
    if (magic === 0 || magic === 1) {
      throw new ProtocolError(
        `legacy message set (magic ${magic}) at byte ${pos}: only record batch v2 is supported`,
        "UNSUPPORTED_VERSION",
      );
    }
    if (magic !== 2) throw new ProtocolError(`unknown magic ${magic} at byte ${pos}`, "CORRUPT_RECORD");
    const batchLength = framing.size - LOG_OVERHEAD;
    if (batchLength < MIN_BATCH_LENGTH) {
      throw new ProtocolError(
        `record batch length ${batchLength} is below the v2 header size`,
        "CORRUPT_RECORD",
      );
    }
    if (this.#verifyCrc && !isRecordBatchCrcValid(buf, pos, batchLength)) {
      throw new ProtocolError(`record batch at byte ${pos} fails its CRC32C`, "CORRUPT_RECORD");
    }
    const header = readRecordBatchHeader(buf, pos);
    this.#pos = pos + framing.size;
    return new RecordBatch(buf.subarray(pos, pos + framing.size), header);
  }

  next(): IteratorResult<RecordBatch> {
    const batch = this.nextBatch();
    return batch === null ? { done: true, value: undefined } : { done: false, value: batch };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** `new RecordBatchReader(buf, options)`: for (const batch of readRecordBatches(records)) … */
export function readRecordBatches(buf: Buffer, options?: RecordBatchReaderOptions): RecordBatchReader {
  return new RecordBatchReader(buf, options);
}
