import { CompressionType } from "../records/record-batch-header.js";
import {
  asProtocolError,
  type CompressionCodec,
  checkMaxBytes,
  corruptCompressed,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decompressedTooLarge,
} from "./codec.js";
import { loadOnFirstUse } from "./native-module.js";

const snappy = loadOnFirstUse<typeof import("snappy")>("snappy");

/**
 * Kafka's Java client writes snappy through snappy-java's SnappyOutputStream, whose framing (the
 * "xerial" framing, not Google's snappy framing format) is documented as
 *   [magic header: 16 bytes] ([block size: int32 big-endian] [raw snappy block])*
 * with the header = 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00, version int32 (1), compatible version
 * int32 (1). Each block compresses up to 32 KiB of input (snappy-java's default block size).
 * librdkafka and the kafkajs snappy codec may send one raw snappy block without any framing, so
 * decompression accepts both: the xerial magic selects the framed form, anything else is raw.
 */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
export const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
/** Input bytes per framed block, as snappy-java's SnappyOutputStream writes them. */
export const XERIAL_BLOCK_SIZE = 32 * 1024;

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_MAGIC.length && XERIAL_MAGIC.compare(data, 0, XERIAL_MAGIC.length) === 0;
}

/**
 * The uncompressed length a raw snappy block announces in its preamble (an unsigned LEB128 varint
 * of at most 32 bits), read without decompressing so the limit is checked before any allocation.
 */
export function snappyUncompressedLength(data: Buffer, start: number, end: number): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (start + i >= end) throw corruptCompressed("snappy", "truncated length preamble");
    const b = data[start + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > 0xffffffff) break;
      return value;
    }
  }
  throw corruptCompressed("snappy", "invalid length preamble");
}

/**
 * Have the native library copy its output into a regular Buffer instead of handing over an
 * external one: measured here, external buffers make each call 5–9x slower (16 KiB: 3.4 µs with
 * the copy vs 29 µs without to compress, 10 µs vs 73 µs to decompress).
 */
const COPY = { copyOutputData: true };

function uncompressBlock(block: Buffer, expected: number): Buffer {
  let out: Buffer;
  try {
    out = snappy().uncompressSync(block, { ...COPY, asBuffer: true }) as Buffer;
  } catch (err) {
    throw asProtocolError("snappy", err);
  }
  if (out.length !== expected) throw corruptCompressed("snappy", "block length differs from its preamble");
  return out;
}

function compressXerial(data: Uint8Array): Buffer {
  const input = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  const blocks: Buffer[] = [];
  let size = XERIAL_HEADER_SIZE;
  for (let at = 0; at < input.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappy().compressSync(
      input.subarray(at, Math.min(at + XERIAL_BLOCK_SIZE, input.length)),
      COPY,
    );
    blocks.push(block);
    size += 4 + block.length;
  }
  const out = Buffer.allocUnsafe(size);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  let pos = XERIAL_HEADER_SIZE;
  for (const block of blocks) {
    pos = out.writeInt32BE(block.length, pos);
    pos += block.copy(out, pos);
  }
  return out;
}

function decompressXerial(data: Buffer, maxBytes: number): Buffer {
  if (data.length < XERIAL_HEADER_SIZE) throw corruptCompressed("snappy", "truncated xerial header");
  // First pass: walk the block framing and add up the announced lengths, so the limit is enforced
  // and the output allocated once, before anything is decompressed.
  let total = 0;
  let blocks = 0;
  for (let pos = XERIAL_HEADER_SIZE; pos < data.length; ) {
    if (pos + 4 > data.length) throw corruptCompressed("snappy", "truncated xerial block length");
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length)
      throw corruptCompressed("snappy", "xerial block past the end");
    if (length > 0) {
      total += snappyUncompressedLength(data, pos, pos + length);
      if (total > maxBytes) throw decompressedTooLarge("snappy", maxBytes);
      blocks++;
    }
    pos += length;
  }
  if (blocks === 0) return Buffer.alloc(0);
  const out = blocks === 1 ? null : Buffer.allocUnsafe(total);
  let written = 0;
  for (let pos = XERIAL_HEADER_SIZE; pos < data.length; ) {
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length > 0) {
      const block = data.subarray(pos, pos + length);
      const decoded = uncompressBlock(block, snappyUncompressedLength(block, 0, length));
      if (out === null) return decoded;
      written += decoded.copy(out, written);
    }
    pos += length;
  }
  return out as Buffer;
}

export const snappyCodec: CompressionCodec = {
  type: CompressionType.Snappy,
  name: "snappy",
  compress(data: Uint8Array): Buffer {
    return compressXerial(data);
  },
  decompress(data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
    checkMaxBytes(maxBytes);
    if (isXerialFramed(data)) return decompressXerial(data, maxBytes);
    const expected = snappyUncompressedLength(data, 0, data.length);
    if (expected > maxBytes) throw decompressedTooLarge("snappy", maxBytes);
    return uncompressBlock(data, expected);
  },
};
