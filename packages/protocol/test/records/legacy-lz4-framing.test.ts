import assert from "node:assert/strict";
import { test } from "node:test";
import {
  lz4Codec,
  lz4HeaderChecksum,
  lz4LegacyHeaderChecksum,
  useLegacyLz4HeaderChecksum,
  xxhash32,
} from "../../src/index.js";
import { randomBytes, seededRandom } from "./helpers.js";

test("xxHash32 matches the reference test values", () => {
  assert.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05);
  assert.equal(xxhash32(Buffer.from("abc")), 0x32d153ff);
  assert.equal(xxhash32(Buffer.from("Nobody inspects the spammish repetition")), 0xe2293b2f);
  // A sub-range hashes like a copy of it.
  const b = Buffer.from("xxabcxx");
  assert.equal(xxhash32(b, 2, 5), 0x32d153ff);
});

test("the standard header checksum is what the LZ4 library writes", () => {
  const random = seededRandom(7);
  for (const size of [0, 1, 100, 70_000, 300_000]) {
    const frame = lz4Codec.compress(randomBytes(random, size));
    assert.equal(frame[6], lz4HeaderChecksum(frame), `size ${size}`);
  }
});

test("the legacy checksum covers the magic bytes too, and the patched frame still decodes", () => {
  const data = Buffer.from("legacy lz4 ".repeat(50));
  const frame = lz4Codec.compress(data);
  const expected = (xxhash32(frame, 0, 6) >>> 8) & 0xff;
  assert.equal(lz4LegacyHeaderChecksum(frame), expected);
  useLegacyLz4HeaderChecksum(frame);
  assert.equal(frame[6], expected);
  assert.deepEqual(lz4Codec.decompress(frame), data);
});

test("frames with a content size or dictionary id: the checksum sits after those fields", () => {
  const frame = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 1, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0, 0, 0, 0]);
  assert.equal(lz4HeaderChecksum(frame), (xxhash32(frame, 4, 14) >>> 8) & 0xff);
  useLegacyLz4HeaderChecksum(frame);
  assert.equal(frame[14], (xxhash32(frame, 0, 14) >>> 8) & 0xff);
});

test("anything that is not an LZ4 frame is left alone", () => {
  for (const b of [
    Buffer.alloc(0),
    Buffer.from("not a frame"),
    Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60]),
  ]) {
    const copy = Buffer.from(b);
    assert.equal(lz4HeaderChecksum(b), -1);
    assert.equal(lz4LegacyHeaderChecksum(b), -1);
    assert.deepEqual(useLegacyLz4HeaderChecksum(b), copy);
  }
});
