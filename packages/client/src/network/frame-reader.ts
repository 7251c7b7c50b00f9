/** Socket reads go into this much reusable space while frames are small. */
const SCRATCH_BYTES = 64 * 1024;
/** Frames larger than this get a buffer of their own, which the socket then reads into directly. */
const OWN_BUFFER_FROM = 16 * 1024;
/** Below this much free space at the end of the scratch, its unread bytes move to its start. */
const MIN_READ_SPACE = 4 * 1024;

/**
 * Splits a TCP byte stream into Kafka frames (int32 size + payload), owning the memory the socket
 * reads into (`net.connect({ onread })`): the socket asks `buffer()` where to put its next read
 * and reports it with `read(n)`. Small frames collect in one reusable scratch buffer and are
 * copied out whole; a large frame (a fetch response) gets a buffer of its exact size, and the
 * socket reads the rest of it straight into that buffer. So no memory is allocated per socket
 * read and a large frame's bytes are copied at most once, which keeps the garbage collector
 * (driven by external memory) from running every few megabytes.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  readonly #onFrame: (frame: Buffer) => void;
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Unread bytes of the scratch: [#start, #end). */
  #start = 0;
  #end = 0;
  /** The large frame being read into directly, and how much of it is filled. */
  #frame: Buffer | null = null;
  #filled = 0;

  constructor(maxFrameBytes: number, onFrame: (frame: Buffer) => void) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#onFrame = onFrame;
  }

  /** Where the next read goes: the rest of a large frame, or the free end of the scratch. */
  buffer(): Buffer {
    const frame = this.#frame;
    if (frame !== null) return frame.subarray(this.#filled);
    if (this.#scratch.length - this.#end < MIN_READ_SPACE) this.#compact();
    return this.#scratch.subarray(this.#end);
  }

  /**
   * `n` bytes were read into the last `buffer()`: calls onFrame for every frame completed. Throws
   * RangeError for a size field that is negative or beyond the maximum (the stream cannot be
   * trusted after that).
   */
  read(n: number): void {
    const frame = this.#frame;
    if (frame !== null) {
      this.#filled += n;
      if (this.#filled < frame.length) return;
      this.#frame = null;
      this.#onFrame(frame);
      return;
    }
    this.#end += n;
    this.#splitScratch();
  }

  /** Feeds bytes that arrived some other way (a `data` event) through the same path. */
  push(chunk: Buffer): void {
    for (let pos = 0; pos < chunk.length; ) {
      const into = this.buffer();
      const n = Math.min(into.length, chunk.length - pos);
      chunk.copy(into, 0, pos, pos + n);
      pos += n;
      this.read(n);
    }
  }

  /** Hands out the whole frames in the scratch; starts a large frame's own buffer. */
  #splitScratch(): void {
    const scratch = this.#scratch;
    while (this.#end - this.#start >= 4) {
      const size = this.#checkSize(scratch.readInt32BE(this.#start));
      const from = this.#start + 4;
      const have = this.#end - from;
      if (have >= size) {
        const out = Buffer.allocUnsafe(size);
        scratch.copy(out, 0, from, from + size);
        this.#start = from + size;
        this.#onFrame(out);
        continue;
      }
      if (size > OWN_BUFFER_FROM) {
        const own = Buffer.allocUnsafe(size);
        scratch.copy(own, 0, from, this.#end);
        this.#frame = own;
        this.#filled = have;
        this.#start = this.#end = 0;
        return;
      }
      // A small frame not complete yet: make sure the scratch has room for all of it.
      if (scratch.length - this.#start < 4 + size) this.#compact();
      break;
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  #compact(): void {
    this.#scratch.copyWithin(0, this.#start, this.#end);
    this.#end -= this.#start;
    this.#start = 0;
  }

  #checkSize(size: number): number {
    if (size < 0 || size > this.#maxFrameBytes) {
      throw new RangeError(`frame size ${size} is out of range (0–${this.#maxFrameBytes})`);
    }
    return size;
  }
}
