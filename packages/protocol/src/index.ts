export { ProtocolError, type ProtocolErrorCode } from "./codec/protocol-error.js";
export { Reader } from "./codec/reader.js";
export { type Uuid, uuidFromBytes, uuidToBytes, ZERO_UUID } from "./codec/uuid.js";
export { Writer } from "./codec/writer.js";
export { type CompressionCodec, DEFAULT_MAX_DECOMPRESSED_BYTES } from "./compression/codec.js";
export { gzipCodec } from "./compression/gzip.js";
export { lz4Codec } from "./compression/lz4.js";
export { noneCodec } from "./compression/none.js";
export { compressionCodec, compressionTypeFromName } from "./compression/registry.js";
export { isXerialFramed, snappyCodec } from "./compression/snappy.js";
export { zstdCodec } from "./compression/zstd.js";
export * from "./generated/index.js";
export * from "./records/control-record.js";
export { crc32 } from "./records/crc32.js";
export { crc32c } from "./records/crc32c.js";
export * from "./records/legacy-conversion.js";
export {
  lz4HeaderChecksum,
  lz4LegacyHeaderChecksum,
  useLegacyLz4HeaderChecksum,
  xxhash32,
} from "./records/legacy-lz4-framing.js";
export * from "./records/legacy-message-set.js";
export type { Record, RecordHeader, RecordInput } from "./records/record.js";
export { RecordBatch, type RecordsOptions, TimestampType } from "./records/record-batch.js";
export { buildRecordBatch, type RecordBatchOptions } from "./records/record-batch-builder.js";
export * from "./records/record-batch-header.js";
export {
  type BatchFraming,
  batchFramingAt,
  RecordBatchReader,
  type RecordBatchReaderOptions,
  readRecordBatches,
} from "./records/record-batch-reader.js";
export * from "./records/record-batch-validator.js";
export {
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
} from "./records/record-varint.js";
