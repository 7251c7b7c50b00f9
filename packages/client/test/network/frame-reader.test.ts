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

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds `stream` the way a socket would: reads of random sizes into the reader's buffers. */
function readInPieces(reader: FrameReader, stream: Buffer, next: () => number, maxRead: number): void {
  for (let pos = 0; pos < stream.length; ) {
    const into = reader.buffer();
    assert.ok(into.length > 0, "the reader always offers room to read into");
    const n = Math.min(into.length, stream.length - pos, 1 + Math.floor(next() * maxRead));
    stream.copy(into, 0, pos, pos + n);
    pos += n;
    reader.read(n);
  }
}

describe("FrameReader", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`hands out every frame whole and in order, however the reads split them (seed ${seed})`, () => {
      const next = random(seed);
      const sizes = [0, 1, 3, 100, 4096, 16 * 1024, 16 * 1024 + 1, 65_532, 65_536, 300_000, 1 << 20];
      const frames: Buffer[] = [];
      for (let i = 0; i < 60; i++) frames.push(frame(sizes[Math.floor(next() * sizes.length)], i));
      const got: Buffer[] = [];
      const reader = new FrameReader(2 << 20, (f) => got.push(Buffer.from(f)));
      // Reads from 1 byte (a size field split in four) up to 200 KiB (many frames at once).
      readInPieces(reader, Buffer.concat(frames), next, seed % 2 === 0 ? 7 : 200_000);
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
      random(9),
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
