/**
 * Splits a TCP byte stream into Kafka frames (a 4-byte big-endian size, then that many bytes).
 * A frame that arrives in one chunk is returned as a slice of it (no copy); only frames spread
 * over several chunks are copied once into a buffer of their exact size.
 */
export class FrameDecoder {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #error: FrameTooLargeError | undefined;

  constructor(readonly maxFrameBytes: number) {}

  /**
   * Adds received bytes and returns the frames now complete. When a frame announces a size above
   * the limit (or a negative one), the frames before it are still returned and `error` is set to
   * a FrameTooLargeError: the connection must be closed once those are answered, since the rest
   * of the stream can no longer be trusted. From then on nothing more is returned.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.#error !== undefined) return [];
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#buffered < 4) break;
      const size = this.#peekSize();
      if (size < 0 || size > this.maxFrameBytes) {
        this.#error = new FrameTooLargeError(size, this.maxFrameBytes);
        this.#chunks = [];
        this.#buffered = 0;
        break;
      }
      if (this.#buffered < 4 + size) break;
      frames.push(this.#take(4 + size).subarray(4));
    }
    return frames;
  }

  /** Set once a frame announced a size outside 0..maxFrameBytes. */
  get error(): FrameTooLargeError | undefined {
    return this.#error;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.#buffered;
  }

  #peekSize(): number {
    const first = this.#chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return this.#gather(4).readInt32BE(0);
  }

  /** Removes and returns the first `n` buffered bytes. */
  #take(n: number): Buffer {
    const first = this.#chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      out = this.#gather(n);
      let left = n;
      while (left > 0) {
        const c = this.#chunks[0];
        if (c.length <= left) {
          left -= c.length;
          this.#chunks.shift();
        } else {
          this.#chunks[0] = c.subarray(left);
          left = 0;
        }
      }
    }
    this.#buffered -= n;
    return out;
  }

  /** Copies the first `n` buffered bytes into one buffer without consuming them. */
  #gather(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    for (const c of this.#chunks) {
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (at === n) break;
    }
    return out;
  }
}

export class FrameTooLargeError extends Error {
  override readonly name = "FrameTooLargeError";
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`frame of ${size} bytes is outside 0..${limit} (socket.request.max.bytes)`);
  }
}
