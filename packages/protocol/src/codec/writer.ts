import { type Uuid, uuidToBytes } from "./uuid.js";

/** Byte fields at least this long are referenced, not copied (record sets in fetch responses). */
const ZERO_COPY_MIN = 4096;

/**
 * Builds Kafka-encoded bytes as a list of chunks. Small fields go into a growing scratch buffer;
 * large byte fields are appended by reference, so a fetch response carries log bytes without a
 * copy and can be written with one writev.
 */
export class Writer {
  #buf: Buffer;
  #pos = 0;
  #chunks: Buffer[] = [];
  #flushed = 0;

  constructor(initialSize = 256) {
    this.#buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.#flushed + this.#pos;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  int8(v: number): this {
    this.#ensure(1);
    this.#pos = this.#buf.writeInt8(v, this.#pos);
    return this;
  }
  int16(v: number): this {
    this.#ensure(2);
    this.#pos = this.#buf.writeInt16BE(v, this.#pos);
    return this;
  }
  uint16(v: number): this {
    this.#ensure(2);
    this.#pos = this.#buf.writeUInt16BE(v, this.#pos);
    return this;
  }
  int32(v: number): this {
    this.#ensure(4);
    this.#pos = this.#buf.writeInt32BE(v, this.#pos);
    return this;
  }
  uint32(v: number): this {
    this.#ensure(4);
    this.#pos = this.#buf.writeUInt32BE(v, this.#pos);
    return this;
  }
  int64(v: bigint): this {
    this.#ensure(8);
    this.#pos = this.#buf.writeBigInt64BE(v, this.#pos);
    return this;
  }
  float64(v: number): this {
    this.#ensure(8);
    this.#pos = this.#buf.writeDoubleBE(v, this.#pos);
    return this;
  }
  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  uuid(v: Uuid): this {
    return this.raw(uuidToBytes(v));
  }

  unsignedVarint(v: number): this {
    this.#ensure(5);
    let value = v >>> 0;
    while (value >= 0x80) {
      this.#buf[this.#pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.#buf[this.#pos++] = value;
    return this;
  }
  varint(v: number): this {
    return this.unsignedVarint((v << 1) ^ (v >> 31));
  }
  varlong(v: bigint): this {
    this.#ensure(10);
    let value = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (value >= 0x80n) {
      this.#buf[this.#pos++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.#buf[this.#pos++] = Number(value);
    return this;
  }

  /** Appends bytes as they are; large buffers by reference (the caller must not mutate them). */
  raw(b: Uint8Array): this {
    if (b.length >= ZERO_COPY_MIN) {
      this.#cut();
      this.#chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
      this.#flushed += b.length;
      return this;
    }
    this.#ensure(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    return this;
  }

  string(v: string): this {
    return this.nullableString(v);
  }
  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const n = Buffer.byteLength(v, "utf8");
    this.int16(n);
    this.#ensure(n);
    this.#pos += this.#buf.write(v, this.#pos, "utf8");
    return this;
  }
  compactString(v: string): this {
    return this.compactNullableString(v);
  }
  compactNullableString(v: string | null): this {
    if (v === null) return this.unsignedVarint(0);
    const n = Buffer.byteLength(v, "utf8");
    this.unsignedVarint(n + 1);
    this.#ensure(n);
    this.#pos += this.#buf.write(v, this.#pos, "utf8");
    return this;
  }

  bytes(v: Uint8Array): this {
    return this.nullableBytes(v);
  }
  nullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).raw(v);
  }
  compactBytes(v: Uint8Array): this {
    return this.compactNullableBytes(v);
  }
  compactNullableBytes(v: Uint8Array | null): this {
    if (v === null) return this.unsignedVarint(0);
    return this.unsignedVarint(v.length + 1).raw(v);
  }

  arrayLength(n: number): this {
    return this.int32(n);
  }
  compactArrayLength(n: number): this {
    return this.unsignedVarint(n + 1);
  }

  /** Moves the scratch bytes into the chunk list and starts a fresh scratch buffer. */
  #cut(): void {
    if (this.#pos === 0) return;
    this.#chunks.push(this.#buf.subarray(0, this.#pos));
    this.#flushed += this.#pos;
    this.#buf = this.#buf.subarray(this.#pos);
    if (this.#buf.length < 64) this.#buf = Buffer.allocUnsafe(256);
    this.#pos = 0;
  }

  /** The written bytes as chunks, ready for writev. The writer must not be used afterwards. */
  toChunks(): Buffer[] {
    this.#cut();
    return this.#chunks;
  }

  /** The written bytes as one buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.#flushed);
  }
}
