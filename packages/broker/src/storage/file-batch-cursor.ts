/**
 * A forward cursor over the record batches of a segment file: reads the file through a window
 * (one pread per window, not per batch), checks each batch header for sanity and hands out the
 * header fields and, on request, the batch bytes. Recovery, index rebuilds, offset translation
 * and timestamp searches all walk segments with it.
 */
import { BatchOffsets, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from "@weir/protocol";
import { type FileSystem, readFully } from "./file-system.js";

/** The smallest batchLength a v2 batch can have: a header and no records. */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
export const MAGIC_V2 = 2;

/** The int64 at `pos` as a number, without allocating a BigInt (exact within ±2^53). */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}

/** Writes a safe integer as an int64 at `pos`, without allocating a BigInt. */
export function writeInt64(buf: Buffer, value: number, pos: number): void {
  const hi = Math.floor(value / 4294967296);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(value - hi * 4294967296, pos + 4);
}

/**
 * What `next()` found: a batch; the clean end of the range; a partial batch (the range ends
 * inside it: a torn write); or bytes that are not a v2 batch header.
 */
export type CursorResult = "batch" | "end" | "partial" | "corrupt";

export class FileBatchCursor {
  /** File position of the current batch. */
  position = -1;
  /** Bytes of the current batch, LOG_OVERHEAD + batchLength. */
  size = 0;
  baseOffset = 0;
  lastOffset = 0;
  partitionLeaderEpoch = 0;
  attributes = 0;
  baseTimestamp = 0;
  maxTimestamp = 0;
  producerId = -1;
  /** Why the last `next()` returned partial or corrupt. */
  problem = "";

  #next: number;
  #buf: Buffer;
  #winStart = 0;
  #winLen = 0;

  constructor(
    private readonly fs: FileSystem,
    private readonly fd: number,
    private readonly what: string,
    start: number,
    /** End of the range to walk (usually the file size). */
    private readonly end: number,
    private readonly windowBytes = 64 * 1024,
  ) {
    this.#next = start;
    this.#buf = Buffer.allocUnsafe(Math.max(RECORD_BATCH_OVERHEAD, Math.min(windowBytes, end - start)));
  }

  /** Position where the next batch would start (after the current one). */
  get nextPosition(): number {
    return this.#next;
  }

  /** Moves to the next batch. */
  next(): CursorResult {
    const pos = this.#next;
    const remaining = this.end - pos;
    if (remaining === 0) return "end";
    if (remaining < RECORD_BATCH_OVERHEAD) {
      this.problem = `${remaining} bytes at position ${pos} are fewer than a batch header`;
      return "partial";
    }
    const at = this.#ensure(pos, RECORD_BATCH_OVERHEAD);
    if (at < 0) {
      this.problem = `file ends inside the batch header at position ${pos}`;
      return "partial";
    }
    const buf = this.#buf;
    const batchLength = buf.readInt32BE(at + BatchOffsets.batchLength);
    if (batchLength < MIN_BATCH_LENGTH) {
      this.problem = `batch length ${batchLength} at position ${pos} is below the v2 minimum`;
      return "corrupt";
    }
    const magic = buf.readInt8(at + BatchOffsets.magic);
    if (magic !== MAGIC_V2) {
      this.problem = `magic ${magic} at position ${pos}`;
      return "corrupt";
    }
    const lastOffsetDelta = buf.readInt32BE(at + BatchOffsets.lastOffsetDelta);
    if (lastOffsetDelta < 0) {
      this.problem = `negative last offset delta at position ${pos}`;
      return "corrupt";
    }
    const size = LOG_OVERHEAD + batchLength;
    if (size > remaining) {
      this.problem = `batch of ${size} bytes at position ${pos} runs past the end (${remaining} bytes left)`;
      return "partial";
    }
    this.position = pos;
    this.size = size;
    this.baseOffset = readInt64(buf, at + BatchOffsets.baseOffset);
    this.lastOffset = this.baseOffset + lastOffsetDelta;
    this.partitionLeaderEpoch = buf.readInt32BE(at + BatchOffsets.partitionLeaderEpoch);
    this.attributes = buf.readInt16BE(at + BatchOffsets.attributes);
    this.baseTimestamp = readInt64(buf, at + BatchOffsets.baseTimestamp);
    this.maxTimestamp = readInt64(buf, at + BatchOffsets.maxTimestamp);
    this.producerId = readInt64(buf, at + BatchOffsets.producerId);
    this.#next = pos + size;
    return "batch";
  }

  /** The bytes of the current batch; valid until the next call on this cursor. Undefined if the file ends first. */
  bytes(): Buffer | undefined {
    const at = this.#ensure(this.position, this.size);
    return at < 0 ? undefined : this.#buf.subarray(at, at + this.size);
  }

  /** Makes [pos, pos+len) available in the window; its index there, or -1 if the file is shorter. */
  #ensure(pos: number, len: number): number {
    if (pos >= this.#winStart && pos + len <= this.#winStart + this.#winLen) return pos - this.#winStart;
    if (len > this.#buf.length) this.#buf = Buffer.allocUnsafe(Math.max(len, this.windowBytes));
    const want = Math.max(len, Math.min(this.#buf.length, this.end - pos));
    const n = readFully(this.fs, this.fd, this.#buf, 0, want, pos, this.what);
    this.#winStart = pos;
    this.#winLen = n;
    return n < len ? -1 : 0;
  }
}
