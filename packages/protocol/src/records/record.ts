import { ProtocolError } from "../codec/protocol-error.js";
import {
  type Cursor,
  readVarint,
  readVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  zigzag32,
} from "./record-varint.js";

/*
 * One record inside a v2 batch:
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint | key | valueLength varint | value | headerCount varint |
 *   (headerKeyLength varint | headerKey utf8 | headerValueLength varint | headerValue)*
 * `length` counts the bytes after itself; lengths of -1 mean null (header keys cannot be null).
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record. Key, value and header values are slices of the batch (or its decompressed records). */
export interface Record {
  /** Absolute offset: the batch's base offset + offsetDelta. */
  offset: number;
  /** Milliseconds; for LogAppendTime batches the batch's max timestamp, as Kafka consumers report it. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Record-level attributes byte; unused by Kafka so far (0). */
  attributes: number;
}

/** A record to put in a batch. */
export interface RecordInput {
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: readonly { key: string; value: Uint8Array | null }[];
  /** Milliseconds (CreateTime). */
  timestamp: number;
  /** Offset relative to the batch's base offset; defaults to the record's index in the batch. */
  offsetDelta?: number;
}

/** Smallest record: a 1-byte length and six 1-byte fields (attributes, two deltas, null key, null value, 0 headers). */
export const MIN_RECORD_SIZE = 7;

function corrupt(reason: string): ProtocolError {
  return new ProtocolError(`corrupt record: ${reason}`, "CORRUPT_RECORD");
}

function bytesFieldSize(b: Uint8Array | null | undefined): number {
  return b == null ? 1 : sizeOfUnsignedVarint(zigzag32(b.length)) + b.length;
}

/**
 * Size of a record's body (everything after its length varint). Header key byte lengths are
 * pushed onto `keyLengths` so writing does not measure the strings a second time.
 */
export function recordBodySize(
  record: RecordInput,
  timestampDelta: number,
  offsetDelta: number,
  keyLengths: number[],
): number {
  let size =
    1 +
    sizeOfVarlong(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    bytesFieldSize(record.key) +
    bytesFieldSize(record.value);
  const headers = record.headers;
  if (headers === undefined) return size + 1;
  size += sizeOfVarint(headers.length);
  for (const header of headers) {
    const keyLength = Buffer.byteLength(header.key, "utf8");
    keyLengths.push(keyLength);
    size += sizeOfVarint(keyLength) + keyLength + bytesFieldSize(header.value);
  }
  return size;
}

function writeBytesField(buf: Buffer, pos: number, b: Uint8Array | null | undefined): number {
  if (b == null) {
    buf[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/**
 * Writes a record at `pos` (length varint included) and returns the position after it.
 * `keyLengths`/`keyIndex` are the header key lengths recordBodySize measured, in order.
 */
export function writeRecord(
  buf: Buffer,
  pos: number,
  record: RecordInput,
  bodySize: number,
  timestampDelta: number,
  offsetDelta: number,
  keyLengths: readonly number[],
  keyIndex: number,
): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0; // attributes
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytesField(buf, pos, record.key);
  pos = writeBytesField(buf, pos, record.value);
  const headers = record.headers;
  if (headers === undefined) {
    buf[pos++] = 0;
    return pos;
  }
  pos = writeVarint(buf, pos, headers.length);
  for (const header of headers) {
    const keyLength = keyLengths[keyIndex++];
    pos = writeVarint(buf, pos, keyLength);
    pos += buf.write(header.key, pos, keyLength, "utf8");
    pos = writeBytesField(buf, pos, header.value);
  }
  return pos;
}

function readBytesField(buf: Buffer, c: Cursor, end: number): Buffer | null {
  const length = readVarint(buf, c, end);
  if (length < 0) {
    if (length === -1) return null;
    throw corrupt(`negative length ${length}`);
  }
  const start = c.pos;
  if (length > end - start) throw corrupt("field runs past the record");
  c.pos = start + length;
  return buf.subarray(start, start + length);
}

/** Reads the record length and returns the end of the record it frames. */
function readRecordEnd(buf: Buffer, c: Cursor, end: number): number {
  const length = readVarint(buf, c, end);
  if (length < MIN_RECORD_SIZE - 1) throw corrupt(`invalid record length ${length}`);
  if (length > end - c.pos) throw corrupt("record runs past the batch");
  return c.pos + length;
}

/**
 * Decodes the record at `c.pos` (before `end`) and advances the cursor past it. Throws
 * ProtocolError CORRUPT_RECORD for anything malformed, including a record whose fields do not
 * exactly fill its declared length.
 */
export function decodeRecord(
  buf: Buffer,
  c: Cursor,
  end: number,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: number | null,
): Record {
  const recordEnd = readRecordEnd(buf, c, end);
  const attributes = buf.readInt8(c.pos++);
  const timestampDelta = readVarlong(buf, c, recordEnd);
  const offsetDelta = readVarint(buf, c, recordEnd);
  const key = readBytesField(buf, c, recordEnd);
  const value = readBytesField(buf, c, recordEnd);
  const headerCount = readVarint(buf, c, recordEnd);
  // Each header takes at least two bytes, so a count beyond that is a lie; refuse before looping.
  if (headerCount < 0 || headerCount * 2 > recordEnd - c.pos)
    throw corrupt(`invalid header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = readVarint(buf, c, recordEnd);
    if (keyLength < 0 || keyLength > recordEnd - c.pos)
      throw corrupt(`invalid header key length ${keyLength}`);
    const headerKey = buf.toString("utf8", c.pos, c.pos + keyLength);
    c.pos += keyLength;
    headers.push({ key: headerKey, value: readBytesField(buf, c, recordEnd) });
  }
  if (c.pos !== recordEnd) throw corrupt("fields do not fill the record length");
  return {
    offset: baseOffset + offsetDelta,
    timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
    key,
    value,
    headers,
    attributes,
  };
}

/** The delta fields of a record, as skimRecord reads them. */
export interface SkimmedRecord {
  timestampDelta: number;
  offsetDelta: number;
}

/**
 * Checks the framing of the record at `c.pos` without materializing it (no slices, no strings)
 * and advances past it; fills `out` with its deltas. Same errors as decodeRecord.
 */
export function skimRecord(buf: Buffer, c: Cursor, end: number, out: SkimmedRecord): void {
  const recordEnd = readRecordEnd(buf, c, end);
  c.pos++; // attributes
  out.timestampDelta = readVarlong(buf, c, recordEnd);
  out.offsetDelta = readVarint(buf, c, recordEnd);
  skipBytesField(buf, c, recordEnd);
  skipBytesField(buf, c, recordEnd);
  const headerCount = readVarint(buf, c, recordEnd);
  if (headerCount < 0 || headerCount * 2 > recordEnd - c.pos)
    throw corrupt(`invalid header count ${headerCount}`);
  for (let i = 0; i < headerCount; i++) {
    const keyLength = readVarint(buf, c, recordEnd);
    if (keyLength < 0 || keyLength > recordEnd - c.pos)
      throw corrupt(`invalid header key length ${keyLength}`);
    c.pos += keyLength;
    skipBytesField(buf, c, recordEnd);
  }
  if (c.pos !== recordEnd) throw corrupt("fields do not fill the record length");
}

function skipBytesField(buf: Buffer, c: Cursor, end: number): void {
  const length = readVarint(buf, c, end);
  if (length < -1) throw corrupt(`negative length ${length}`);
  if (length > end - c.pos) throw corrupt("field runs past the record");
  if (length > 0) c.pos += length;
}
