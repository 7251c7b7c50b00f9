import { ProtocolError } from "./protocol-error.js";
import { type Uuid, uuidFromBytes } from "./uuid.js";

/**
 * A cursor over a buffer of Kafka-encoded bytes. Every read checks bounds and throws
 * ProtocolError, so a hostile frame can never read past its end or allocate by a length it lies
 * about. Byte fields are returned as slices of the input (zero copy).
 */
export class Reader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  #need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new ProtocolError(`truncated input: need ${n} bytes at ${at}, have ${this.end - at}`);
    }
    this.offset = at + n;
    return at;
  }

  skip(n: number): void {
    this.#need(n);
  }

  int8(): number {
    return this.buf.readInt8(this.#need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.#need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.#need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.#need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.#need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.#need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.#need(8));
  }
  boolean(): boolean {
    return this.buf[this.#need(1)] !== 0;
  }
  uuid(): Uuid {
    const at = this.#need(16);
    return uuidFromBytes(this.buf.subarray(at, at + 16));
  }

  /** Unsigned LEB128, at most 5 bytes (fits 32 bits). */
  unsignedVarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf[this.#need(1)];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) throw new ProtocolError("varint out of 32-bit range");
        return value;
      }
    }
    throw new ProtocolError("varint longer than 5 bytes");
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const raw = this.unsignedVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zigzag-encoded signed 64-bit varint, at most 10 bytes. */
  varlong(): bigint {
    let raw = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.buf[this.#need(1)];
      raw |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        raw = BigInt.asUintN(64, raw);
        return (raw >> 1n) ^ -(raw & 1n);
      }
    }
    throw new ProtocolError("varlong longer than 10 bytes");
  }

  /** Reads `n` bytes as a zero-copy slice. */
  raw(n: number): Buffer {
    const at = this.#need(n);
    return this.buf.subarray(at, at + n);
  }

  #utf8(n: number): string {
    const at = this.#need(n);
    return this.buf.toString("utf8", at, at + n);
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolError("null string in a non-nullable field");
    return s;
  }
  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.#utf8(n);
  }
  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolError("null string in a non-nullable field");
    return s;
  }
  compactNullableString(): string | null {
    const n = this.unsignedVarint() - 1;
    return n < 0 ? null : this.#utf8(n);
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new ProtocolError("null bytes in a non-nullable field");
    return b;
  }
  nullableBytes(): Buffer | null {
    const n = this.int32();
    return n < 0 ? null : this.raw(n);
  }
  compactBytes(): Buffer {
    const b = this.compactNullableBytes();
    if (b === null) throw new ProtocolError("null bytes in a non-nullable field");
    return b;
  }
  compactNullableBytes(): Buffer | null {
    const n = this.unsignedVarint() - 1;
    return n < 0 ? null : this.raw(n);
  }

  /**
   * Array length (int32, -1 = null). A count larger than the bytes left cannot be honest (every
   * element takes at least one byte), so it is refused before anything is allocated.
   */
  arrayLength(): number {
    return this.#checkedCount(this.int32());
  }
  compactArrayLength(): number {
    return this.#checkedCount(this.unsignedVarint() - 1);
  }
  #checkedCount(n: number): number {
    if (n > this.remaining()) throw new ProtocolError(`array of ${n} elements in ${this.remaining()} bytes`);
    return n < 0 ? -1 : n;
  }
}
