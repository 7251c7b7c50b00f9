import { ProtocolError } from "../codec/protocol-error.js";
import type { CompressionType } from "../records/record-batch-header.js";

/**
 * One compression codec of record batch v2 (the records section after the 61-byte header).
 *
 * The codecs are synchronous on purpose. They are pure functions over buffers (sans-I/O like the
 * rest of this package); the broker appends batches as received and decompresses only where a
 * feature needs to look inside (compacted topics, deep validation), and a client that wants to keep
 * large batches off its event loop can run these same functions in a worker thread. The native
 * libraries behind them release no locks worth overlapping on a 2-vCPU machine anyway.
 */
export interface CompressionCodec {
  readonly type: CompressionType;
  /** Kafka's name for the codec, as in the `compression.type` config. */
  readonly name: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /**
   * Compresses the whole input into one buffer in the framing Kafka's Java client writes.
   * `level` is the codec's own level (gzip 1–9, zstd -7–22); snappy and lz4 ignore it.
   */
  compress(data: Uint8Array, level?: number): Buffer;
  /**
   * Decompresses `data`, refusing to produce more than `maxBytes` bytes: past it (or when the
   * framing announces more than it) throws ProtocolError with code CORRUPT_RECORD, before large
   * allocations where the format makes that possible. Malformed input throws the same code.
   */
  decompress(data: Buffer, maxBytes?: number): Buffer;
}

/**
 * Default ceiling for one decompressed records section. Large enough for any batch a sane producer
 * writes; callers on the broker pass their own, tighter limit.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;

export function decompressedTooLarge(codec: string, maxBytes: number): ProtocolError {
  return new ProtocolError(`${codec}: decompressed data exceeds ${maxBytes} bytes`, "CORRUPT_RECORD");
}

export function corruptCompressed(codec: string, reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError(`${codec}: corrupt compressed data: ${reason}`, "CORRUPT_RECORD", { cause });
}

/** Wraps a native library's failure (a plain Error) as a CORRUPT_RECORD ProtocolError. */
export function asProtocolError(codec: string, err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  return corruptCompressed(codec, err instanceof Error ? err.message : String(err), err);
}

export function checkMaxBytes(maxBytes: number): number {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative safe integer, got ${maxBytes}`);
  }
  return maxBytes;
}
