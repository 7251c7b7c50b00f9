import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from "@weir/protocol";
import type { EncodedHeader } from "./producer-record.js";

/*
 * Writes records of the v2 batch format straight into a batch's buffer:
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint | key | valueLength varint | value | headerCount varint |
 *   (headerKeyLength varint | headerKey | headerValueLength varint | headerValue)*
 * Strings are measured once and written as UTF-8 without an intermediate Buffer.
 */

/** Byte length of a key, value or header value (-1 for null). */
export function byteLength(v: Uint8Array | string | null | undefined): number {
  if (v == null) return -1;
  return typeof v === "string" ? Buffer.byteLength(v, "utf8") : v.length;
}

function fieldSize(length: number): number {
  return length < 0 ? 1 : sizeOfVarint(length) + length;
}

function writeField(
  buf: Buffer,
  pos: number,
  v: Uint8Array | string | null | undefined,
  length: number,
): number {
  if (length < 0) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, length);
  if (typeof v === "string") buf.write(v, pos, length, "utf8");
  else buf.set(v as Uint8Array, pos);
  return pos + length;
}

/** Sizes measured by `measureRecord`, reused by `writeRecord`. */
export interface RecordSizes {
  keyLength: number;
  valueLength: number;
  /** Byte lengths of header keys and values, in pairs. */
  headerLengths: number[];
}

/**
 * Measures a record (everything but the deltas, which `bodySize` adds): fills `sizes` and
 * returns the body size without timestamp/offset deltas.
 */
export function measureRecord(
  key: Uint8Array | string | null | undefined,
  value: Uint8Array | string | null | undefined,
  headers: readonly EncodedHeader[] | null,
  sizes: RecordSizes,
): number {
  const keyLength = byteLength(key);
  const valueLength = byteLength(value);
  sizes.keyLength = keyLength;
  sizes.valueLength = valueLength;
  let size = 1 + fieldSize(keyLength) + fieldSize(valueLength);
  if (headers === null) return size + 1;
  const lengths = sizes.headerLengths;
  lengths.length = 0;
  size += sizeOfVarint(headers.length);
  for (const h of headers) {
    const k = Buffer.byteLength(h.key, "utf8");
    const v = byteLength(h.value);
    lengths.push(k, v);
    size += sizeOfVarint(k) + k + fieldSize(v);
  }
  return size;
}

/** Size of the whole record (length varint included) given the measured part and its deltas. */
export function recordSize(measured: number, timestampDelta: number, offsetDelta: number): number {
  const body = measured + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  return sizeOfVarint(body) + body;
}

/** Writes a measured record at `pos`; returns the position after it. */
export function writeRecord(
  buf: Buffer,
  pos: number,
  key: Uint8Array | string | null | undefined,
  value: Uint8Array | string | null | undefined,
  headers: readonly EncodedHeader[] | null,
  sizes: RecordSizes,
  measured: number,
  timestampDelta: number,
  offsetDelta: number,
): number {
  const body = measured + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // attributes
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeField(buf, pos, key, sizes.keyLength);
  pos = writeField(buf, pos, value, sizes.valueLength);
  if (headers === null) {
    buf[pos++] = 0;
    return pos;
  }
  pos = writeVarint(buf, pos, headers.length);
  const lengths = sizes.headerLengths;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const k = lengths[2 * i];
    pos = writeVarint(buf, pos, k);
    pos += buf.write(h.key, pos, k, "utf8");
    pos = writeField(buf, pos, h.value, lengths[2 * i + 1]);
  }
  return pos;
}

/*
 * Re-framing, for splitting a batch: a record's key, value and headers (its "tail") are copied as
 * they are; only the length and the deltas in front of them change with the new batch.
 */

/** Where a record written at `pos` ends, and where its tail (key onwards) starts. */
export function recordBounds(buf: Buffer, pos: number): { tail: number; end: number } {
  let length = 0;
  let shift = 0;
  let b: number;
  do {
    b = buf[pos++];
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  const end = pos + length / 2; // zigzag of a non-negative length
  let tail = pos + 1; // attributes
  for (let field = 0; field < 2; field++) {
    // timestampDelta varlong, offsetDelta varint: skipped, not decoded
    while (buf[tail++] & 0x80);
  }
  return { tail, end };
}

/** Size of a record with a `tailLength`-byte tail at the given deltas. */
export function reframedSize(tailLength: number, timestampDelta: number, offsetDelta: number): number {
  const body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + tailLength;
  return sizeOfVarint(body) + body;
}

/** Writes a record from its tail and new deltas at `pos`; returns the position after it. */
export function writeReframed(
  buf: Buffer,
  pos: number,
  tail: Buffer,
  timestampDelta: number,
  offsetDelta: number,
): number {
  const body = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + tail.length;
  pos = writeVarint(buf, pos, body);
  buf[pos++] = 0; // attributes
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  return pos + tail.copy(buf, pos);
}
