import { CompressionType } from "../records/record-batch-header.js";
import {
  type CompressionCodec,
  checkMaxBytes,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decompressedTooLarge,
} from "./codec.js";

/** Compression type 0: the records section is stored as it is. */
export const noneCodec: CompressionCodec = {
  type: CompressionType.None,
  name: "none",
  compress(data: Uint8Array): Buffer {
    return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  },
  decompress(data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
    if (data.length > checkMaxBytes(maxBytes)) throw decompressedTooLarge("none", maxBytes);
    return data;
  },
};
