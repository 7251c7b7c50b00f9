import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FrameReader } from "../../src/network/frame-reader.js";

/** A frame: int32 size, then `size` bytes counting up from `seed`. */
function frame(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(4 + size);
  out.writeInt32BE(size, 0);
  for (let i = 0; i < size; i++) out[4 + i] = (seed + i) & 0xff;
  return out;
}

/** Read sizes that never line up with frame boundaries the same way twice (primes, cycled). */
const READ_SIZES = [1, 3, 7, 61, 509, 4093, 16_381, 65_521, 199_999];

/**
 * Feeds `stream` the way a socket would: reads into the reader's buffers, their sizes cycling
 * through READ_SIZES from `start` (capped at `maxRead`).
 */
function readInPieces(reader: FrameReader, stream: Buffer, start: number, maxRead: number): void {
  for (let pos = 0, i = start; pos < stream.length; i++) {
    const into = reader.buffer();
    assert.ok(into.length > 0, "the reader always offers room to read into");
    const want = Math.min(READ_SIZES[i % READ_SIZES.length], maxRead);
    const n = Math.min(into.length, stream.length - pos, want);
    stream.copy(into, 0, pos, pos + n);
    pos += n;
    reader.read(n);
  }
}

describe("FrameReader", () => {
  for (const variant of [0, 1, 2, 3, 4]) {
    it(`hands out every frame whole and in order, however the reads split them (variant ${variant})`, () => {
      const sizes = [0, 1, 3, 100, 4096, 16 * 1024, 16 * 1024 + 1, 65_532, 65_536, 300_000, 1 << 20];
      const frames: Buffer[] = [];
      for (let i = 0; i < 60; i++) frames.push(frame(sizes[(i * 7 + variant) % sizes.length], i));
      const got: Buffer[] = [];
      const reader = new FrameReader(2 << 20, (f) => got.push(Buffer.from(f)));
      // Reads from 1 byte (a size field split in four) up to 200 KiB (many frames at once); odd
      // variants read at most 7 bytes at a time.
      readInPieces(reader, Buffer.concat(frames), variant, variant % 2 === 1 ? 7 : 200_000);
      assert.equal(got.length, frames.length);
      for (let i = 0; i < frames.length; i++) assert.deepEqual(got[i], frames[i].subarray(4), `frame ${i}`);
    });
  }

  it("hands out frames that stay valid after later reads reuse its memory", () => {
    const got: Buffer[] = [];
    const reader = new FrameReader(1 << 20, (f) => got.push(f));
    readInPieces(
      reader,
      Buffer.concat([frame(10, 1), frame(20_000, 2), frame(10, 3), frame(10, 4)]),
      3,
      5_000,
    );
    assert.deepEqual(
      got.map((f) => [f.length, f[0]]),
      [
        [10, 1],
        [20_000, 2],
        [10, 3],
        [10, 4],
      ],
    );
    for (let i = 0; i < 20_000; i++) assert.equal(got[1][i], (2 + i) & 0xff);
  });

  it("push() takes chunks of any size through the same path", () => {
    const got: Buffer[] = [];
    const reader = new FrameReader(1 << 20, (f) => got.push(f));
    const stream = Buffer.concat([frame(5, 0), frame(200_000, 1), frame(7, 2)]);
    reader.push(stream.subarray(0, 3));
    reader.push(stream.subarray(3, 150_000));
    reader.push(stream.subarray(150_000));
    assert.deepEqual(
      got.map((f) => f.length),
      [5, 200_000, 7],
    );
  });

  it("throws RangeError for a negative size or one beyond the maximum", () => {
    const reader = new FrameReader(1000, () => assert.fail("no frame expected"));
    assert.throws(() => reader.push(frame(1001, 0)), RangeError);
    const negative = Buffer.alloc(8);
    negative.writeInt32BE(-5, 0);
    assert.throws(() => new FrameReader(1000, () => undefined).push(negative), RangeError);
  });
});
