import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameDecoder, FrameTooLargeError } from "../../src/network/frame-decoder.js";

function frame(body: string): Buffer {
  const b = Buffer.from(body);
  const size = Buffer.alloc(4);
  size.writeInt32BE(b.length, 0);
  return Buffer.concat([size, b]);
}

test("frames in one chunk come out whole, in order", () => {
  const decoder = new FrameDecoder(100);
  const frames = decoder.push(Buffer.concat([frame("one"), frame("two"), frame("")]));
  assert.deepEqual(
    frames.map((f) => f.toString()),
    ["one", "two", ""],
  );
  assert.equal(decoder.buffered, 0);
});

test("a frame split at every byte boundary comes out once, whole", () => {
  const bytes = Buffer.concat([frame("hello"), frame("world!")]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    for (let cut2 = cut; cut2 <= bytes.length; cut2++) {
      const decoder = new FrameDecoder(100);
      const out = [
        ...decoder.push(bytes.subarray(0, cut)),
        ...decoder.push(bytes.subarray(cut, cut2)),
        ...decoder.push(bytes.subarray(cut2)),
      ];
      assert.deepEqual(
        out.map((f) => f.toString()),
        ["hello", "world!"],
        `cuts ${cut}/${cut2}`,
      );
      assert.equal(decoder.buffered, 0);
    }
  }
});

test("a partial frame stays buffered", () => {
  const decoder = new FrameDecoder(100);
  assert.deepEqual(decoder.push(frame("abcdef").subarray(0, 7)), []);
  assert.equal(decoder.buffered, 7);
  assert.equal(decoder.error, undefined);
});

test("a frame of exactly the limit is accepted; one byte more is not", () => {
  const ok = new FrameDecoder(5);
  assert.equal(ok.push(frame("12345")).length, 1);
  assert.equal(ok.error, undefined);
  const tooBig = new FrameDecoder(5);
  assert.deepEqual(tooBig.push(frame("123456")), []);
  assert.ok(tooBig.error instanceof FrameTooLargeError);
  assert.equal(tooBig.error.size, 6);
});

test("the frames before a bad size are returned, then the decoder stops", () => {
  const decoder = new FrameDecoder(100);
  const negative = Buffer.alloc(4);
  negative.writeInt32BE(-1, 0);
  const frames = decoder.push(Buffer.concat([frame("first"), negative, frame("never")]));
  assert.deepEqual(
    frames.map((f) => f.toString()),
    ["first"],
  );
  assert.ok(decoder.error instanceof FrameTooLargeError);
  assert.equal(decoder.error.size, -1);
  assert.deepEqual(decoder.push(frame("after")), []);
});

test("a bad size split across chunks is still caught", () => {
  const decoder = new FrameDecoder(100);
  const huge = Buffer.alloc(4);
  huge.writeInt32BE(0x7fffffff, 0);
  assert.deepEqual(decoder.push(huge.subarray(0, 2)), []);
  assert.equal(decoder.error, undefined);
  assert.deepEqual(decoder.push(huge.subarray(2)), []);
  const error: unknown = decoder.error;
  assert.ok(error instanceof FrameTooLargeError);
});
