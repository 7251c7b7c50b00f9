import { ProtocolError } from "../codec/protocol-error.js";
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from "../compression/codec.js";
import {
  buildLegacyMessageSet,
  type LegacyMagic,
  type LegacyMessageInput,
  legacyEntrySize,
  NO_TIMESTAMP,
  readLegacyMessageSet,
} from "./legacy-message-set.js";
import type { RecordInput } from "./record.js";
import { TimestampType } from "./record-batch.js";
import { buildRecordBatch } from "./record-batch-builder.js";
import { CompressionType } from "./record-batch-header.js";
import { RecordBatchReader } from "./record-batch-reader.js";

/*
 * Conversion between the legacy message formats (magic 0 and 1) and record batch v2, in the
 * two directions a broker storing only v2 needs: up for Produce v0–v2 requests, down for
 * Fetch v0–v3 responses.
 */

export interface UpConversionOptions {
  /** Ceiling for the decompressed bytes of the set's wrappers together. */
  maxDecompressedBytes?: number;
  /** Level of the batch's codec (gzip 1–9); the codec's default when omitted. */
  compressionLevel?: number;
}

export interface UpConversion {
  /** One record batch v2 with every message of the set, base offset 0, no producer id. */
  batch: Buffer;
  recordCount: number;
  compression: CompressionType;
  /** The highest magic of the converted set. */
  magic: LegacyMagic;
}

/**
 * Converts a legacy message set (a Produce v0–v2 partition's records) into one record batch v2,
 * as Kafka's broker does on up-conversion: each message becomes a record with its key, value and
 * timestamp (magic 0 messages have none: NO_TIMESTAMP, -1, which timestamp validation lets
 * through; other negative timestamps are CORRUPT_RECORD), no headers; the batch is CreateTime with producer id, epoch and sequence -1, and is
 * compressed with the codec of the set's last compressed wrapper (Kafka's source codec with
 * `compression.type=producer`), uncompressed when there was none. Offsets in the set are
 * ignored: the broker assigns them. Throws ProtocolError (see readLegacyMessageSet; an empty set
 * is CORRUPT_RECORD).
 */
export function upConvertLegacyMessageSet(buf: Buffer, options: UpConversionOptions = {}): UpConversion {
  const set = readLegacyMessageSet(buf, { maxDecompressedBytes: options.maxDecompressedBytes });
  if (set.messages.length === 0) throw new ProtocolError("empty legacy message set", "CORRUPT_RECORD");
  const records: RecordInput[] = set.messages.map((m) => {
    const timestamp = m.magic === 0 ? NO_TIMESTAMP : m.timestamp;
    // As Kafka: a negative timestamp other than NO_TIMESTAMP is invalid (and past 2^53 ms, in
    // the year 287,396, there is nothing a number can hold exactly).
    if (timestamp < NO_TIMESTAMP || !Number.isSafeInteger(timestamp)) {
      throw new ProtocolError(`invalid timestamp ${timestamp} at offset ${m.offset}`, "CORRUPT_RECORD");
    }
    return { key: m.key, value: m.value, timestamp };
  });
  const batch = buildRecordBatch(records, {
    compression: set.compression,
    compressionLevel: options.compressionLevel,
  });
  return { batch, recordCount: records.length, compression: set.compression, magic: set.magic };
}

export interface DownConversionOptions {
  magic: LegacyMagic;
  /** Records below this offset are left out (the fetch offset: a read starts at a batch boundary). */
  fromOffset?: number;
  /**
   * Stop before the entry that would take the output past this many bytes: entries are whole
   * messages, or whole wrappers for compressed batches. Default: no limit.
   */
  maxBytes?: number;
  /** Return the first entry even when it alone exceeds maxBytes (default true), so readers progress. */
  minOneEntry?: boolean;
  /** Ceiling for one decompressed batch. */
  maxDecompressedBytes?: number;
  compressionLevel?: number;
}

export interface DownConversion {
  /** The legacy message set: messages with absolute offsets. */
  records: Buffer;
  messageCount: number;
  /** The offset after the last message written, or -1 when none was. */
  nextOffset: number;
  /** Whether maxBytes stopped the conversion before the end of the input. */
  truncated: boolean;
}

/**
 * Converts record batches v2 (as read from the log) into a legacy message set of `magic`, for
 * fetchers older than record batch v2, as Kafka's broker does on down-conversion: offsets stay
 * absolute, headers are dropped (the formats cannot carry them), control batches are skipped,
 * magic 1 keeps each record's timestamp and the batch's timestamp type, magic 0 has no
 * timestamps. A batch compressed with gzip, snappy or lz4 becomes one wrapper compressed with the
 * same codec (what Kafka does; the bytes sent stay close to the bytes read). zstd cannot be
 * carried by magic 0 or 1: its records are sent uncompressed (Kafka answers
 * UNSUPPORTED_COMPRESSION_TYPE instead, which leaves an old consumer stuck at that offset).
 * Uncompressed batches become one entry per record. Throws ProtocolError on a corrupt batch.
 */
export function downConvertRecordBatches(buf: Buffer, options: DownConversionOptions): DownConversion {
  const { magic } = options;
  const fromOffset = options.fromOffset ?? Number.MIN_SAFE_INTEGER;
  const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
  const minOne = options.minOneEntry ?? true;
  const maxDecompressedBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const entries: Buffer[] = [];
  let size = 0;
  let messageCount = 0;
  let nextOffset = -1;
  let truncated = false;
  /** Whether `bytes` more fit; `first` when they start with one entry (the only one, if nothing yet). */
  const fits = (bytes: number, first: boolean): boolean => {
    if (size + bytes <= maxBytes || (minOne && first && messageCount === 0)) return true;
    truncated = true;
    return false;
  };

  const reader = new RecordBatchReader(buf);
  for (let batch = reader.nextBatch(); batch !== null; batch = reader.nextBatch()) {
    if (batch.isControl || batch.lastOffset < fromOffset) continue;
    const logAppendTime =
      magic === 1 && batch.timestampType === TimestampType.LogAppendTime
        ? batch.header.maxTimestamp
        : undefined;
    const messages: (LegacyMessageInput & { offset: number })[] = [];
    for (const record of batch.records({ maxDecompressedBytes })) {
      if (record.offset < fromOffset) continue;
      messages.push({
        offset: record.offset,
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
      });
    }
    if (messages.length === 0) continue;
    const compression = batch.compression;
    if (compression !== CompressionType.None && compression !== CompressionType.Zstd) {
      const wrapper = buildLegacyMessageSet(messages, {
        magic,
        compression,
        compressionLevel: options.compressionLevel,
        logAppendTime,
      });
      if (!fits(wrapper.length, true)) break;
      entries.push(wrapper);
      size += wrapper.length;
      messageCount += messages.length;
      nextOffset = messages[messages.length - 1].offset + 1;
      continue;
    }
    // One entry per record, built together: as many as fit.
    let count = 0;
    let bytes = 0;
    for (const m of messages) {
      const entrySize = legacyEntrySize(magic, m.key, m.value);
      if (!fits(bytes + entrySize, count === 0)) break;
      bytes += entrySize;
      count++;
    }
    if (count === 0) break;
    const part = count === messages.length ? messages : messages.slice(0, count);
    entries.push(buildLegacyMessageSet(part, { magic, logAppendTime }));
    size += bytes;
    messageCount += count;
    nextOffset = part[count - 1].offset + 1;
    if (count < messages.length) break;
  }
  return {
    records: entries.length === 1 ? entries[0] : Buffer.concat(entries, size),
    messageCount,
    nextOffset,
    truncated,
  };
}
