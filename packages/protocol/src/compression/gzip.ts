import { constants, gunzipSync, gzipSync } from "node:zlib";
import { CompressionType } from "../records/record-batch-header.js";
import {
  asProtocolError,
  type CompressionCodec,
  checkMaxBytes,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decompressedTooLarge,
} from "./codec.js";

/** zlib's output chunk size; larger than its 16 KiB default so big batches take fewer rounds. */
const CHUNK_SIZE = 64 * 1024;

/**
 * gzip (RFC 1952) through node:zlib. Kafka's Java client writes one gzip member with the zlib
 * default level (6, `compression.gzip.level=-1`); concatenated members decode as one stream, as
 * Java's GZIPInputStream does.
 */
export const gzipCodec: CompressionCodec = {
  type: CompressionType.Gzip,
  name: "gzip",
  compress(data: Uint8Array, level: number = constants.Z_DEFAULT_COMPRESSION): Buffer {
    return gzipSync(data, { level, chunkSize: CHUNK_SIZE });
  },
  decompress(data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
    checkMaxBytes(maxBytes);
    let out: Buffer;
    try {
      // maxOutputLength makes zlib stop (RangeError ERR_BUFFER_TOO_LARGE) instead of growing on.
      out = gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes), chunkSize: CHUNK_SIZE });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
        throw decompressedTooLarge("gzip", maxBytes);
      throw asProtocolError("gzip", err);
    }
    if (out.length > maxBytes) throw decompressedTooLarge("gzip", maxBytes);
    return out;
  },
};
