import assert from "node:assert/strict";
import { test } from "node:test";
import { compress } from "zstd-napi";
import { ProtocolError, zstdCodec } from "../../src/index.js";
import { fixtureText, ZSTD_SIZED, ZSTD_STREAMING, ZSTD_STREAMING_NO_CHECK } from "./fixtures.js";

const isCorrupt = (err: unknown) => err instanceof ProtocolError && err.code === "CORRUPT_RECORD";
const text = fixtureText();

test("decompresses frames from the zstd tool, with and without content size and checksum", () => {
  assert.deepEqual(zstdCodec.decompress(ZSTD_STREAMING), text);
  assert.deepEqual(zstdCodec.decompress(ZSTD_STREAMING_NO_CHECK), text);
  assert.deepEqual(zstdCodec.decompress(ZSTD_SIZED), text);
});

test("frames without a content size are bounded while streaming", () => {
  assert.deepEqual(zstdCodec.decompress(ZSTD_STREAMING, text.length), text);
  assert.throws(() => zstdCodec.decompress(ZSTD_STREAMING, text.length - 1), isCorrupt);
  assert.throws(() => zstdCodec.decompress(ZSTD_SIZED, text.length - 1), isCorrupt);
  const noSize = compress(Buffer.alloc(10_000_000), { contentSizeFlag: false });
  assert.throws(() => zstdCodec.decompress(noSize, 1_000_000), isCorrupt);
  assert.equal(zstdCodec.decompress(noSize).length, 10_000_000);
});

test("several frames, sized and unsized, decode as one stream", () => {
  const a = compress(Buffer.from("alpha "), { contentSizeFlag: false });
  const b = zstdCodec.compress(Buffer.from("beta"));
  const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7]);
  assert.equal(zstdCodec.decompress(Buffer.concat([a, skippable, b])).toString(), "alpha beta");
  assert.equal(zstdCodec.decompress(Buffer.concat([b, b])).toString(), "betabeta");
});

test("truncated and damaged frames are CORRUPT_RECORD, and the shared context recovers", () => {
  for (let cut = 1; cut < ZSTD_STREAMING.length; cut += 7) {
    assert.throws(() => zstdCodec.decompress(ZSTD_STREAMING.subarray(0, cut)), isCorrupt, `cut at ${cut}`);
  }
  const damaged = Buffer.from(ZSTD_STREAMING);
  damaged[damaged.length - 2] ^= 0xff; // inside the XXH64 checksum
  assert.throws(() => zstdCodec.decompress(damaged), isCorrupt);
  assert.deepEqual(zstdCodec.decompress(ZSTD_STREAMING), text);
});

test("compression levels are honoured", () => {
  const fast = zstdCodec.compress(text, 1);
  const strong = zstdCodec.compress(text, 19);
  assert.deepEqual(zstdCodec.decompress(fast), text);
  assert.deepEqual(zstdCodec.decompress(strong), text);
});
