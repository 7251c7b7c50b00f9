/**
 * Minimal record batch v2 builder for the storage tests (header + uncompressed records with a
 * correct CRC32C), so these tests do not depend on the protocol package's full builder.
 */
import { crc32c, isRecordBatchCrcValid, LOG_OVERHEAD, readRecordBatchHeader } from "@weir/protocol";

export interface FixtureRecord {
  readonly key?: string | Buffer | null;
  readonly value?: string | Buffer | null;
  readonly timestampDelta?: number;
}

export interface FixtureBatch {
  /** The records, or how many records of `valueSize` bytes to make. */
  readonly records?: readonly FixtureRecord[] | number;
  readonly valueSize?: number;
  readonly baseOffset?: number;
  readonly baseTimestamp?: number;
  /** Defaults to baseTimestamp + the largest timestampDelta. */
  readonly maxTimestamp?: number;
  readonly partitionLeaderEpoch?: number;
  readonly attributes?: number;
  readonly producerId?: number;
  readonly producerEpoch?: number;
  readonly baseSequence?: number;
}

function zigzagVarint(value: number, out: number[]): void {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function bytesOf(v: string | Buffer | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? Buffer.from(v) : v;
}

function encodeRecord(r: FixtureRecord, offsetDelta: number): Buffer {
  const key = bytesOf(r.key);
  const value = bytesOf(r.value);
  const head: number[] = [0];
  zigzagVarint(r.timestampDelta ?? 0, head);
  zigzagVarint(offsetDelta, head);
  zigzagVarint(key === null ? -1 : key.length, head);
  const mid: number[] = [];
  zigzagVarint(value === null ? -1 : value.length, mid);
  const tail: number[] = [];
  zigzagVarint(0, tail); // headers
  const body = Buffer.concat([
    Buffer.from(head),
    key ?? Buffer.alloc(0),
    Buffer.from(mid),
    value ?? Buffer.alloc(0),
    Buffer.from(tail),
  ]);
  const len: number[] = [];
  zigzagVarint(body.length, len);
  return Buffer.concat([Buffer.from(len), body]);
}

export function buildBatch(spec: FixtureBatch = {}): Buffer {
  const records: readonly FixtureRecord[] =
    typeof spec.records === "number" || spec.records === undefined
      ? Array.from({ length: typeof spec.records === "number" ? spec.records : 1 }, (_, i) => ({
          key: `k${i}`,
          value: Buffer.alloc(spec.valueSize ?? 10, 0x61 + (i % 26)),
        }))
      : spec.records;
  const baseTimestamp = spec.baseTimestamp ?? 1_700_000_000_000;
  const maxDelta = records.reduce((m, r) => Math.max(m, r.timestampDelta ?? 0), 0);
  const body = Buffer.concat(records.map((r, i) => encodeRecord(r, i)));
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(BigInt(spec.baseOffset ?? 0), 0);
  header.writeInt32BE(61 - LOG_OVERHEAD + body.length, 8);
  header.writeInt32BE(spec.partitionLeaderEpoch ?? 0, 12);
  header.writeInt8(2, 16);
  header.writeInt16BE(spec.attributes ?? 0, 21);
  header.writeInt32BE(records.length - 1, 23);
  header.writeBigInt64BE(BigInt(baseTimestamp), 27);
  header.writeBigInt64BE(BigInt(spec.maxTimestamp ?? baseTimestamp + maxDelta), 35);
  header.writeBigInt64BE(BigInt(spec.producerId ?? -1), 43);
  header.writeInt16BE(spec.producerEpoch ?? -1, 51);
  header.writeInt32BE(spec.baseSequence ?? -1, 53);
  header.writeInt32BE(records.length, 57);
  const batch = Buffer.concat([header, body]);
  batch.writeUInt32BE(crc32c(batch.subarray(21)), 17);
  return batch;
}

export interface ParsedBatch {
  readonly position: number;
  readonly size: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly partitionLeaderEpoch: number;
  readonly attributes: number;
  readonly crcValid: boolean;
}

/** Splits a buffer of whole batches; throws on a partial one. */
export function parseBatches(buf: Buffer): ParsedBatch[] {
  const out: ParsedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const h = readRecordBatchHeader(buf, pos);
    const size = LOG_OVERHEAD + h.batchLength;
    if (pos + size > buf.length) throw new Error(`partial batch at ${pos}`);
    out.push({
      position: pos,
      size,
      baseOffset: h.baseOffset,
      lastOffset: h.baseOffset + h.lastOffsetDelta,
      maxTimestamp: h.maxTimestamp,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      attributes: h.attributes,
      crcValid: isRecordBatchCrcValid(buf, pos, h.batchLength),
    });
    pos += size;
  }
  return out;
}
