/**
 * Splits a TCP byte stream into Kafka frames (int32 size + payload). Chunks are kept as they
 * arrive; a frame inside one chunk is handed out as a slice of it (no copy), a frame spanning
 * chunks is copied once into a buffer of its exact size.
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Size of the frame being collected, or -1 before its size field is complete. */
  #frameSize = -1;
  readonly #maxFrameBytes: number;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /**
   * Adds bytes and calls `onFrame` for every complete frame. Throws RangeError for a size field
   * that is negative or beyond the maximum (the stream cannot be trusted after that).
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    // Fast path: nothing pending, whole frames inside this chunk.
    if (this.#buffered === 0) {
      let pos = 0;
      while (chunk.length - pos >= 4) {
        const size = this.#checkSize(chunk.readInt32BE(pos));
        if (chunk.length - pos - 4 < size) break;
        onFrame(chunk.subarray(pos + 4, pos + 4 + size));
        pos += 4 + size;
      }
      if (pos === chunk.length) return;
      chunk = chunk.subarray(pos);
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#frameSize < 0) {
        if (this.#buffered < 4) return;
        this.#frameSize = this.#checkSize(this.#take(4).readInt32BE(0));
      }
      if (this.#buffered < this.#frameSize) return;
      const frame = this.#take(this.#frameSize);
      this.#frameSize = -1;
      onFrame(frame);
    }
  }

  #checkSize(size: number): number {
    if (size < 0 || size > this.#maxFrameBytes) {
      throw new RangeError(`response frame size ${size} is out of range (0–${this.#maxFrameBytes})`);
    }
    return size;
  }

  /** Removes the first `n` buffered bytes (n ≤ buffered). */
  #take(n: number): Buffer {
    const first = this.#chunks[0];
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[0];
      const want = n - filled;
      if (head.length <= want) {
        head.copy(out, filled);
        filled += head.length;
        this.#chunks.shift();
      } else {
        head.copy(out, filled, 0, want);
        this.#chunks[0] = head.subarray(want);
        filled += want;
      }
    }
    this.#buffered -= n;
    return out;
  }
}
