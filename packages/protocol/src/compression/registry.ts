import { ProtocolError } from "../codec/protocol-error.js";
import type { CompressionType } from "../records/record-batch-header.js";
import type { CompressionCodec } from "./codec.js";
import { gzipCodec } from "./gzip.js";
import { lz4Codec } from "./lz4.js";
import { noneCodec } from "./none.js";
import { snappyCodec } from "./snappy.js";
import { zstdCodec } from "./zstd.js";

const CODECS: readonly CompressionCodec[] = [noneCodec, gzipCodec, snappyCodec, lz4Codec, zstdCodec];

/**
 * The codec for a batch's compression type (attributes & 0x07). Ids 5–7 are not defined by Kafka
 * and throw ProtocolError UNSUPPORTED_COMPRESSION, so a batch read off the wire can pass its
 * attribute bits straight in.
 */
export function compressionCodec(type: CompressionType | number): CompressionCodec {
  const codec = CODECS[type];
  if (codec === undefined) {
    throw new ProtocolError(`unknown compression type ${type}`, "UNSUPPORTED_COMPRESSION");
  }
  return codec;
}

/** Kafka's `compression.type` names ("none", "gzip", "snappy", "lz4", "zstd"). */
export function compressionTypeFromName(name: string): CompressionType | undefined {
  const codec = CODECS.find((c) => c.name === name);
  return codec === undefined ? undefined : codec.type;
}
