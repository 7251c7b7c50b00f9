import { ProtocolError } from "../codec/protocol-error.js";

/**
 * Varint helpers for the records inside a batch, on plain numbers and a shared cursor: the
 * general-purpose Reader/Writer use BigInt for varlongs, which costs too much once per record.
 * Readers are bounds-checked against `end` and throw ProtocolError CORRUPT_RECORD; they never read
 * past `end`, whatever the bytes say.
 */
export interface Cursor {
  pos: number;
}

function truncated(): ProtocolError {
  return new ProtocolError("truncated record", "CORRUPT_RECORD");
}

/** Zigzag varint of at most 5 bytes, decoded to a signed 32-bit integer (wrapping, like Java). */
export function readVarint(buf: Buffer, c: Cursor, end: number): number {
  let pos = c.pos;
  if (pos >= end) throw truncated();
  let b = buf[pos++];
  let raw = b & 0x7f;
  let shift = 7;
  while (b & 0x80) {
    if (shift > 28) throw new ProtocolError("varint longer than 5 bytes", "CORRUPT_RECORD");
    if (pos >= end) throw truncated();
    b = buf[pos++];
    raw |= (b & 0x7f) << shift;
    shift += 7;
  }
  c.pos = pos;
  return (raw >>> 1) ^ -(raw & 1);
}

/**
 * Zigzag varlong of at most 10 bytes, as a JavaScript number: exact up to 2^53 in magnitude,
 * rounded beyond (timestamp deltas are milliseconds, far inside that).
 */
export function readVarlong(buf: Buffer, c: Cursor, end: number): number {
  let pos = c.pos;
  if (pos >= end) throw truncated();
  let b = buf[pos++];
  const negative = b & 1;
  let raw = b & 0x7f;
  let scale = 128;
  while (b & 0x80) {
    if (scale > 2 ** 63) throw new ProtocolError("varlong longer than 10 bytes", "CORRUPT_RECORD");
    if (pos >= end) throw truncated();
    b = buf[pos++];
    raw += (b & 0x7f) * scale;
    scale *= 128;
  }
  c.pos = pos;
  return negative ? -(raw + 1) / 2 : raw / 2;
}

/** Zigzag encoding of a signed 32-bit integer, as an unsigned 32-bit number. */
export function zigzag32(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

/** Zigzag encoding of a safe integer (|v| < 2^52 stays exact). */
export function zigzag64(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Bytes an unsigned varint of `u` (0 ≤ u < 2^64) takes. */
export function sizeOfUnsignedVarint(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  let size = 5;
  for (let rest = Math.floor(u / 2 ** 35); rest > 0; rest = Math.floor(rest / 128)) size++;
  return size;
}

export function sizeOfVarint(v: number): number {
  return sizeOfUnsignedVarint(zigzag32(v));
}

export function sizeOfVarlong(v: number): number {
  return sizeOfUnsignedVarint(zigzag64(v));
}

/** Writes an unsigned varint (0 ≤ u < 2^64) at `pos` and returns the position after it. */
export function writeUnsignedVarint(buf: Buffer, pos: number, u: number): number {
  let value = u;
  if (value >= 0x100000000) {
    while (value >= 0x80) {
      buf[pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    buf[pos++] = value;
    return pos;
  }
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[pos++] = value;
  return pos;
}

export function writeVarint(buf: Buffer, pos: number, v: number): number {
  return writeUnsignedVarint(buf, pos, zigzag32(v));
}

export function writeVarlong(buf: Buffer, pos: number, v: number): number {
  return writeUnsignedVarint(buf, pos, zigzag64(v));
}
