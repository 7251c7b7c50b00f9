import { ProtocolError } from "../codec/protocol-error.js";
import { DEFAULT_MAX_DECOMPRESSED_BYTES } from "../compression/codec.js";
import { compressionCodec } from "../compression/registry.js";
import { crc32 } from "./crc32.js";
import { useLegacyLz4HeaderChecksum } from "./legacy-lz4-framing.js";
import { TimestampType } from "./record-batch.js";
import { CompressionType, LOG_OVERHEAD } from "./record-batch-header.js";
import { batchFramingAt } from "./record-batch-reader.js";

/*
 * The legacy message formats (Kafka's "message sets", before record batch v2), as Kafka's
 * documentation describes them. A message set is a sequence of entries, each
 *   offset int64 | messageSize int32 | message
 * and a message is
 *   crc uint32 | magic int8 | attributes int8 | [timestamp int64, magic 1 only] |
 *   keyLength int32 | key | valueLength int32 | value
 * with lengths of -1 for null. The CRC32 (IEEE) covers magic to the end of the value.
 * Attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4; zstd needs magic 2), bit 3
 * (magic 1) the timestamp type: 0 CreateTime, 1 LogAppendTime.
 *
 * A compressed set is one "wrapper" message whose value is the compressed bytes of an inner,
 * uncompressed message set of the same magic. Offsets of inner messages are absolute in magic 0;
 * in magic 1 they are relative (0, 1, …) and the wrapper carries the absolute offset of the last
 * inner message. A magic 1 wrapper's timestamp is the largest inner timestamp (CreateTime) or
 * the log append time, which then also applies to every inner message.
 */

export type LegacyMagic = 0 | 1;

export const LegacyMessageOffsets = {
  offset: 0,
  messageSize: 8,
  crc: 12,
  magic: 16,
  attributes: 17,
  /** Magic 1 only. */
  timestamp: 18,
} as const;

/** crc, magic, attributes, key length and value length: a magic 0 message with null key and value. */
export const LEGACY_RECORD_OVERHEAD_V0 = 14;
/** The magic 0 overhead plus the 8-byte timestamp. */
export const LEGACY_RECORD_OVERHEAD_V1 = 22;

export const LegacyAttributes = {
  compressionMask: 0x07,
  timestampTypeLogAppendTime: 0x08,
} as const;

/** The timestamp a message without one reports (magic 0, or magic 1 written without a time). */
export const NO_TIMESTAMP = -1;

/** One message of a legacy set, with compressed wrappers already opened. */
export interface LegacyMessage {
  /** Absolute offset (relative inner offsets of magic 1 wrappers are resolved). */
  offset: number;
  magic: LegacyMagic;
  /** Milliseconds; NO_TIMESTAMP (-1) for magic 0. For LogAppendTime, the wrapper's time. */
  timestamp: number;
  timestampType: TimestampType;
  /** Slices of the input, or of the decompressed inner set. */
  key: Buffer | null;
  value: Buffer | null;
}

export interface LegacyMessageSetReadOptions {
  /**
   * Ceiling for the decompressed bytes of all wrappers of the set together (ProtocolError
   * CORRUPT_RECORD past it). Default DEFAULT_MAX_DECOMPRESSED_BYTES.
   */
  maxDecompressedBytes?: number;
  /**
   * Whether an incomplete entry at the end is allowed (fetch responses may end inside a message:
   * old brokers cut them at the byte limit). Default false: produce requests must be whole.
   */
  allowPartialTail?: boolean;
}

export interface LegacyMessageSet {
  messages: LegacyMessage[];
  /** The highest magic of the entries (0 or 1); 0 when the set is empty. */
  magic: LegacyMagic;
  /** The codec of the last compressed wrapper, or None when nothing was compressed. */
  compression: CompressionType;
  /** Whether reading stopped at an incomplete entry (only with allowPartialTail). */
  partialTail: boolean;
  /** Bytes of whole entries read. */
  size: number;
}

function corrupt(reason: string): ProtocolError {
  return new ProtocolError(`corrupt legacy message: ${reason}`, "CORRUPT_RECORD");
}

function int64(buf: Buffer, pos: number): number {
  return Number(buf.readBigInt64BE(pos));
}

/** One entry, as it is on the wire (a wrapper's value still compressed). */
interface LegacyEntry {
  offset: number;
  magic: LegacyMagic;
  attributes: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

function readBytes(buf: Buffer, pos: number, end: number, what: string): [Buffer | null, number] {
  if (pos + 4 > end) throw corrupt(`${what} length runs past the message`);
  const length = buf.readInt32BE(pos);
  pos += 4;
  if (length === -1) return [null, pos];
  if (length < 0 || length > end - pos) throw corrupt(`invalid ${what} length ${length}`);
  return [buf.subarray(pos, pos + length), pos + length];
}

/** Decodes and checks (size, magic, CRC32, compression id) the entry of `size` bytes at `pos`. */
function readEntry(buf: Buffer, pos: number, size: number): LegacyEntry {
  const magic = buf.readInt8(pos + LegacyMessageOffsets.magic);
  if (magic !== 0 && magic !== 1) {
    throw new ProtocolError(
      `magic ${magic} at byte ${pos} in a legacy message set`,
      magic === 2 ? "UNSUPPORTED_VERSION" : "CORRUPT_RECORD",
    );
  }
  const end = pos + size;
  const messageSize = size - LOG_OVERHEAD;
  if (messageSize < (magic === 0 ? LEGACY_RECORD_OVERHEAD_V0 : LEGACY_RECORD_OVERHEAD_V1)) {
    throw corrupt(`message size ${messageSize} is below the magic ${magic} minimum`);
  }
  const stored = buf.readUInt32BE(pos + LegacyMessageOffsets.crc);
  if (crc32(buf.subarray(pos + LegacyMessageOffsets.magic, end)) !== stored) {
    throw corrupt(`CRC32 mismatch at byte ${pos}`);
  }
  const attributes = buf[pos + LegacyMessageOffsets.attributes];
  const compression = attributes & LegacyAttributes.compressionMask;
  if (compression > CompressionType.Lz4) {
    throw new ProtocolError(
      `compression type ${compression} is not allowed in magic ${magic} messages`,
      "UNSUPPORTED_COMPRESSION",
    );
  }
  let at = pos + LegacyMessageOffsets.timestamp;
  let timestamp = NO_TIMESTAMP;
  if (magic === 1) {
    timestamp = int64(buf, at);
    at += 8;
  }
  const [key, afterKey] = readBytes(buf, at, end, "key");
  const [value, afterValue] = readBytes(buf, afterKey, end, "value");
  if (afterValue !== end) throw corrupt("the message size disagrees with its fields");
  return { offset: int64(buf, pos), magic, attributes, timestamp, key, value };
}

/** Walks the whole entries of buf[start, end); returns where it stopped and whether at a partial one. */
function forEachEntry(
  buf: Buffer,
  start: number,
  end: number,
  allowPartialTail: boolean,
  visit: (entry: LegacyEntry) => void,
): { size: number; partialTail: boolean } {
  let pos = start;
  for (;;) {
    const framing = batchFramingAt(buf, pos, end);
    if (framing.kind === "end") return { size: pos - start, partialTail: false };
    if (framing.kind === "partial") {
      if (allowPartialTail) return { size: pos - start, partialTail: true };
      throw corrupt(`truncated message at byte ${pos}`);
    }
    visit(readEntry(buf, pos, framing.size));
    pos += framing.size;
  }
}

function messageOf(
  entry: LegacyEntry,
  offset: number,
  timestamp: number,
  type: TimestampType,
): LegacyMessage {
  return { offset, magic: entry.magic, timestamp, timestampType: type, key: entry.key, value: entry.value };
}

function timestampTypeOf(entry: LegacyEntry): TimestampType {
  return entry.magic === 1 && entry.attributes & LegacyAttributes.timestampTypeLogAppendTime
    ? TimestampType.LogAppendTime
    : TimestampType.CreateTime;
}

/**
 * Reads a legacy message set (magic 0 and 1 entries, mixed or not), opening compressed wrappers:
 * every message comes out with its absolute offset, in order. Checks every entry's size, magic,
 * CRC32 and compression id, and inside wrappers that the inner messages are uncompressed, of the
 * wrapper's magic, and at least one. Any malformed input throws ProtocolError: CORRUPT_RECORD,
 * UNSUPPORTED_COMPRESSION for compression ids other than 0–3, UNSUPPORTED_VERSION for a magic 2
 * batch in the set.
 */
export function readLegacyMessageSet(
  buf: Buffer,
  options: LegacyMessageSetReadOptions = {},
  start = 0,
  end = buf.length,
): LegacyMessageSet {
  let budget = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const messages: LegacyMessage[] = [];
  let magic: LegacyMagic = 0;
  let compression = CompressionType.None;
  const framing = forEachEntry(buf, start, end, options.allowPartialTail ?? false, (entry) => {
    if (entry.magic > magic) magic = entry.magic;
    const codecId = entry.attributes & LegacyAttributes.compressionMask;
    const type = timestampTypeOf(entry);
    if (codecId === CompressionType.None) {
      messages.push(messageOf(entry, entry.offset, entry.timestamp, type));
      return;
    }
    compression = codecId;
    if (entry.value === null) throw corrupt("a compressed wrapper message has a null value");
    const inner = compressionCodec(codecId).decompress(entry.value, budget);
    budget -= inner.length;
    const entries: LegacyEntry[] = [];
    forEachEntry(inner, 0, inner.length, false, (e) => {
      if (e.magic !== entry.magic) {
        throw corrupt(`an inner message of magic ${e.magic} in a magic ${entry.magic} wrapper`);
      }
      if (e.attributes & LegacyAttributes.compressionMask) {
        throw corrupt("a compressed wrapper holds a compressed message");
      }
      entries.push(e);
    });
    if (entries.length === 0) throw corrupt("a compressed wrapper holds no messages");
    // Magic 1: inner offsets are relative; the wrapper's offset is that of the last inner message.
    const shift = entry.magic === 0 ? 0 : entry.offset - entries[entries.length - 1].offset;
    for (const e of entries) {
      const timestamp = type === TimestampType.LogAppendTime ? entry.timestamp : e.timestamp;
      messages.push(messageOf(e, e.offset + shift, timestamp, type));
    }
  });
  return { messages, magic, compression, partialTail: framing.partialTail, size: framing.size };
}

/** The magic byte of the first entry of a records field (any format), or -1 when too short. */
export function recordsMagic(buf: Buffer, start = 0): number {
  return buf.length - start > LegacyMessageOffsets.magic
    ? buf.readInt8(start + LegacyMessageOffsets.magic)
    : -1;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A message to put in a legacy set. */
export interface LegacyMessageInput {
  /** Absolute offset; defaults to the set's baseOffset + the message's index. */
  offset?: number;
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  /** Milliseconds, magic 1 only (ignored for magic 0); default NO_TIMESTAMP. */
  timestamp?: number;
}

export interface LegacyMessageSetOptions {
  magic: LegacyMagic;
  /** None (default), Gzip, Snappy or Lz4: one wrapper message holding the whole set. */
  compression?: CompressionType;
  /** Codec level (gzip 1–9); the codec's default when omitted. */
  compressionLevel?: number;
  /** Offset of the first message for messages without one (default 0). */
  baseOffset?: number;
  /**
   * Magic 1 only: mark the messages LogAppendTime and give them (and a wrapper) this timestamp.
   * Without it they are CreateTime with their own timestamps.
   */
  logAppendTime?: number;
}

function checkTimestamp(t: number): number {
  if (!Number.isSafeInteger(t)) throw new RangeError(`timestamp ${t} is not an integer`);
  return t;
}

function bytesSize(b: Uint8Array | null | undefined): number {
  return 4 + (b == null ? 0 : b.length);
}

/** The entry size (offset and size fields included) of one message. */
export function legacyEntrySize(
  magic: LegacyMagic,
  key: Uint8Array | null | undefined,
  value: Uint8Array | null | undefined,
): number {
  return (
    LOG_OVERHEAD +
    (magic === 0 ? LEGACY_RECORD_OVERHEAD_V0 : LEGACY_RECORD_OVERHEAD_V1) -
    8 +
    bytesSize(key) +
    bytesSize(value)
  );
}

function writeBytes(out: Buffer, pos: number, b: Uint8Array | null | undefined): number {
  if (b == null) return out.writeInt32BE(-1, pos);
  pos = out.writeInt32BE(b.length, pos);
  out.set(b, pos);
  return pos + b.length;
}

/** Writes one entry at `pos` (its CRC32 included) and returns the position after it. */
function writeEntry(
  out: Buffer,
  pos: number,
  magic: LegacyMagic,
  offset: number,
  attributes: number,
  timestamp: number,
  key: Uint8Array | null | undefined,
  value: Uint8Array | null | undefined,
): number {
  const start = pos;
  const size = legacyEntrySize(magic, key, value);
  out.writeBigInt64BE(BigInt(offset), pos);
  out.writeInt32BE(size - LOG_OVERHEAD, pos + LegacyMessageOffsets.messageSize);
  out.writeInt8(magic, pos + LegacyMessageOffsets.magic);
  out[pos + LegacyMessageOffsets.attributes] = attributes;
  pos += LegacyMessageOffsets.timestamp;
  if (magic === 1) pos = out.writeBigInt64BE(BigInt(timestamp), pos);
  pos = writeBytes(out, pos, key);
  pos = writeBytes(out, pos, value);
  const crc = crc32(out.subarray(start + LegacyMessageOffsets.magic, pos));
  out.writeUInt32BE(crc, start + LegacyMessageOffsets.crc);
  return pos;
}

/**
 * Builds a legacy message set of the given magic: one entry per message, or, compressed, a
 * single wrapper entry whose inner offsets follow the magic's rule (absolute in magic 0, relative
 * in magic 1). LZ4 wrappers of magic 0 carry Kafka's old header checksum (see
 * legacy-lz4-framing.ts). Throws RangeError for arguments the format cannot carry and
 * ProtocolError UNSUPPORTED_COMPRESSION for zstd or unknown codecs.
 */
export function buildLegacyMessageSet(
  messages: readonly LegacyMessageInput[],
  options: LegacyMessageSetOptions,
): Buffer {
  const { magic } = options;
  if (magic !== 0 && magic !== 1) throw new RangeError(`legacy magic must be 0 or 1, got ${magic}`);
  const compression = options.compression ?? CompressionType.None;
  if (compression > CompressionType.Lz4 || compression < 0) {
    throw new ProtocolError(
      `compression type ${compression} is not allowed in magic ${magic} messages`,
      "UNSUPPORTED_COMPRESSION",
    );
  }
  const baseOffset = options.baseOffset ?? 0;
  const logAppendTime =
    magic === 1 && options.logAppendTime !== undefined ? checkTimestamp(options.logAppendTime) : undefined;
  const typeBit = logAppendTime === undefined ? 0 : LegacyAttributes.timestampTypeLogAppendTime;
  const offsets: number[] = [];
  let size = 0;
  let lastOffset = -1;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const offset = m.offset ?? baseOffset + i;
    if (!Number.isSafeInteger(offset)) throw new RangeError(`message ${i} has offset ${offset}`);
    if (m.timestamp !== undefined) checkTimestamp(m.timestamp);
    offsets.push(offset);
    lastOffset = offset;
    size += legacyEntrySize(magic, m.key, m.value);
  }
  const firstOffset = offsets[0] ?? 0;
  const inner = Buffer.allocUnsafe(size);
  let pos = 0;
  let maxTimestamp = NO_TIMESTAMP;
  const compressed = compression !== CompressionType.None;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const timestamp = magic === 0 ? NO_TIMESTAMP : (logAppendTime ?? m.timestamp ?? NO_TIMESTAMP);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const offset = compressed && magic === 1 ? offsets[i] - firstOffset : offsets[i];
    pos = writeEntry(inner, pos, magic, offset, typeBit, timestamp, m.key, m.value);
  }
  if (!compressed || messages.length === 0) return inner;

  let value = compressionCodec(compression).compress(inner, options.compressionLevel);
  if (compression === CompressionType.Lz4 && magic === 0) value = useLegacyLz4HeaderChecksum(value);
  const wrapper = Buffer.allocUnsafe(legacyEntrySize(magic, null, value));
  writeEntry(
    wrapper,
    0,
    magic,
    lastOffset,
    compression | typeBit,
    logAppendTime ?? maxTimestamp,
    null,
    value,
  );
  return wrapper;
}
